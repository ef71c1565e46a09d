package io.quarkiverse.ssechannels.runtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoop;

/**
 * The connections of one event loop that have frames waiting. A broadcast to thousands of connections costs one task
 * per event loop rather than one per connection, and each connection writes everything it has in one go.
 * <p>
 * A run flushes about as many connections as were ready when it started, and at most {@link #MAX_RUN}. Those left
 * over, and those that become ready meanwhile (publishers keep queueing while the loop writes), wait for the next
 * run, which comes after the loop has read its sockets and run the tasks queued meanwhile: under concurrent
 * publishers a connection then writes several events at once, and the loop answers the publishing requests it holds
 * instead of first writing one more event to every connection. The bound does the same for a broadcast to thousands
 * of connections on one loop: a publish the loop reads between two runs joins the writes not made yet, and the loop's
 * other requests do not wait for the whole broadcast.
 * <p>
 * A run queued by a wake from another thread (a worker thread publishing, or another event loop) starts {@code
 * write-delay} later: a publisher queues each event on every connection while the loop could already be writing, so
 * without the wait most writes would carry one event; with it, what other publishers queue within the delay goes out
 * in the same writes. A run queued from the loop itself starts once the loop is done with its current work, which
 * batches by itself, and so does the next run a run leaves work for. A wake that finds a run queued, delayed or not,
 * joins it.
 */
final class Outbox implements Runnable {

    /** What an outbox flushes: in the application, a connection. */
    interface Member {

        /** Writes what the member has waiting; on the outbox's event loop, and lets nothing escape. */
        void flush();
    }

    /**
     * The most entries of the list a run takes (a connection may be in it twice: its second flush finds nothing). A
     * write of live events takes some microseconds, so such a run holds its event loop for well under a millisecond;
     * a connection catching up on a history may take longer. 64, as Netty runs 64 tasks between looks at its clock.
     */
    static final int MAX_RUN = 64;

    private final EventLoop loop;
    /** {@code write-delay}, in nanoseconds; 0 for none. */
    private final long delayNanos;
    private final Queue<Member> ready = new ConcurrentLinkedQueue<>();
    /** Whether a run is queued or running: the add that sets it queues one. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /**
     * Connections added and not taken, each counted after it is added. A run takes this many, at least one and at
     * most {@link #MAX_RUN}, and stops early if the list is empty. One added and not counted yet may be taken in place
     * of one counted, or with the count at 0 (which then stays below 0 until its adder counts it); the next run takes
     * what is left. So a run may find the list empty: the connection whose add queued it can have been taken,
     * uncounted, by a run before.
     */
    private final AtomicInteger count = new AtomicInteger();

    Outbox(EventLoop loop, long delayNanos) {
        this.loop = loop;
        this.delayNanos = delayNanos;
    }

    EventLoop loop() {
        return loop;
    }

    void schedule(Member member) {
        ready.offer(member);
        count.incrementAndGet();
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            if (delayNanos > 0 && !loop.inEventLoop()) {
                loop.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            } else {
                loop.execute(this);
            }
        }
    }

    @Override
    public void run() {
        int n = Math.min(Math.max(count.get(), 1), MAX_RUN);
        int taken = 0;
        Member member;
        while (taken < n && (member = ready.poll()) != null) {
            taken++;
            member.flush();
        }
        count.addAndGet(-taken);
        scheduled.set(false);
        // an add that found the flag still set is seen here: it added before it looked at the flag
        if (!ready.isEmpty() && scheduled.compareAndSet(false, true)) {
            // a scheduled task, not a queued one: Netty runs it after its next look at the sockets
            loop.schedule(this, 0, TimeUnit.NANOSECONDS);
        }
    }
}
