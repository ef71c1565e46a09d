package io.quarkiverse.ssechannels.runtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoop;

/**
 * The connections of one event loop that have frames waiting. A broadcast to thousands of connections costs one task
 * per event loop rather than one per connection, and each connection writes everything it has in one go.
 * <p>
 * A run flushes the connections that were ready when it started. Those that become ready meanwhile (publishers keep
 * queueing while the loop writes) wait for the next run, which comes after the loop has read its sockets and run the
 * tasks queued meanwhile: under concurrent publishers a connection then writes several events at once, and the loop
 * answers the publishing requests it holds instead of writing one more event at a time to every connection first.
 */
final class Outbox implements Runnable {

    private final EventLoop loop;
    private final Queue<ConnectionImpl> ready = new ConcurrentLinkedQueue<>();
    /** Connections offered and not taken yet: the offer that makes it 1 schedules a run. */
    private final AtomicInteger count = new AtomicInteger();

    Outbox(EventLoop loop) {
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    void schedule(ConnectionImpl connection) {
        ready.offer(connection);
        if (count.getAndIncrement() == 0) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        // each offer counts after it is queued: at least this many are there to take
        int n = count.get();
        int taken = 0;
        try {
            while (taken < n) {
                ConnectionImpl connection = ready.poll();
                taken++;
                connection.flush();
            }
        } finally {
            if (count.addAndGet(-taken) > 0) {
                // a scheduled task, not a queued one: Netty runs it after its next look at the sockets
                loop.schedule(this, 0, TimeUnit.NANOSECONDS);
            }
        }
    }
}
