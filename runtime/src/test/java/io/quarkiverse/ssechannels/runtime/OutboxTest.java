package io.quarkiverse.ssechannels.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

/**
 * The outbox on its own, on a real Netty event loop, with members that follow a connection's protocol: a producer
 * counts what it queued and schedules the member only when that count leaves 0; a flush takes what is counted, and
 * sometimes stops with the socket full, to be flushed again from a later task on the loop (as the drain handler
 * does), with what it had counted left pending or taken. In random interleavings of producers and runs, with and
 * without a write delay, every member is flushed after every wake, on the loop, never re-entered.
 */
public class OutboxTest {

    private static final long SEED = 20261205L;
    private static final int PRODUCERS = 3;
    private static final int MEMBERS = 64;
    private static final int ROUNDS = 10;
    private static final int WAKES_PER_PRODUCER = 30_000;

    private final EventLoop loop = new DefaultEventLoop();
    /** What went wrong: a flush off the loop, or one re-entered. */
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void everyWakeIsFlushedInRandomInterleavings() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            // every other round with a write delay: runs queued as scheduled tasks, as producers are not on the loop
            Outbox outbox = new Outbox(loop, round % 2 == 0 ? 0 : TimeUnit.MICROSECONDS.toNanos(20));
            SplittableRandom seeds = new SplittableRandom(SEED + round);
            List<FakeConnection> members = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                members.add(new FakeConnection(outbox, seeds.split()));
            }
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                SplittableRandom random = seeds.split();
                Thread producer = new Thread(() -> {
                    for (int n = 0; n < WAKES_PER_PRODUCER; n++) {
                        members.get(random.nextInt(MEMBERS)).wake();
                        if (random.nextInt(256) == 0) {
                            // let the loop catch up now and then: runs that find few members, and none
                            Thread.yield();
                        }
                    }
                }, "producer-" + p);
                producers.add(producer);
                producer.start();
            }
            for (Thread producer : producers) {
                producer.join();
            }
            int finished = round;
            await().atMost(Duration.ofSeconds(30))
                    .failFast(() -> assertEquals(List.of(), List.copyOf(violations)))
                    .untilAsserted(() -> assertEquals("", unflushed(members),
                            "round " + finished + ": members woken and not flushed (served of woken, pending)"));
        }
        assertEquals(List.of(), List.copyOf(violations));
    }

    /**
     * A run queued by an add whose member an earlier run took before the add was counted finds the list empty; it
     * must stop there and leave the outbox working (it once failed on the missing member, with its flag still set).
     */
    @Test
    void aRunThatFindsNothingLeavesTheOutboxWorking() throws Exception {
        Outbox outbox = new Outbox(loop, 0);
        FakeConnection member = new FakeConnection(outbox, null);
        loop.submit(outbox).get(10, TimeUnit.SECONDS);
        member.wake();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("", unflushed(List.of(member))));
        assertEquals(List.of(), List.copyOf(violations));
    }

    /**
     * A member woken while a run goes on is past that run's count: the run leaves it in the list, and another run
     * must come without another wake (here the wake comes from the loop itself, in the middle of the run; a
     * publisher's comes from its own thread at any moment).
     */
    @Test
    void aMemberWokenDuringARunIsFlushedWithoutAnotherWake() {
        Outbox outbox = new Outbox(loop, 0);
        FakeConnection late = new FakeConnection(outbox, null);
        FakeConnection first = new FakeConnection(outbox, null) {
            @Override
            public void flush() {
                super.flush();
                late.wake();
            }
        };
        first.wake();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("", unflushed(List.of(first, late))));
        assertEquals(List.of(), List.copyOf(violations));
    }

    /**
     * A member woken from another thread (a publisher on a worker thread) waits the write delay, so that what other
     * publishers queue meanwhile goes out in the same writes; one woken on the loop is flushed once the loop is done
     * with its current work.
     */
    @Test
    void aWakeFromAnotherThreadWaitsTheWriteDelayAndOneOnTheLoopDoesNot() throws Exception {
        long delay = TimeUnit.SECONDS.toNanos(2);
        Outbox outbox = new Outbox(loop, delay);
        FakeConnection onLoop = new FakeConnection(outbox, null);
        loop.submit(onLoop::wake).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertEquals("", unflushed(List.of(onLoop))));
        // the run that flushed it has ended: the next wake queues a run of its own
        loop.submit(() -> {
        }).get(10, TimeUnit.SECONDS);

        FakeConnection fromWorker = new FakeConnection(outbox, null);
        long started = System.nanoTime();
        fromWorker.wake();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("", unflushed(List.of(fromWorker))));
        long waited = fromWorker.flushedAt - started;
        assertTrue(waited >= delay, "flushed after " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
        assertEquals(List.of(), List.copyOf(violations));
    }

    /**
     * A broadcast to many connections of one loop is flushed in runs of at most {@link Outbox#MAX_RUN}, with the
     * loop's other tasks in between: a task queued during the first run comes right after it. (That the next run
     * also waits for an I/O event loop's look at its sockets, being a scheduled task, is Netty's doing, not checked
     * here.)
     */
    @Test
    void aRunFlushesAtMostMaxRunMembersAndTheLoopRunsOtherTasksBetweenRuns() throws Exception {
        Outbox outbox = new Outbox(loop, 0);
        AtomicInteger flushes = new AtomicInteger();
        AtomicInteger flushedBeforeTask = new AtomicInteger(-1);
        List<FakeConnection> members = new ArrayList<>();
        for (int i = 0; i < 3 * Outbox.MAX_RUN + 1; i++) {
            boolean first = i == 0;
            members.add(new FakeConnection(outbox, null) {
                @Override
                public void flush() {
                    super.flush();
                    if (first) {
                        loop.execute(() -> flushedBeforeTask.set(flushes.get()));
                    }
                    flushes.incrementAndGet();
                }
            });
        }
        // woken on the loop, all before the first run starts
        loop.submit(() -> members.forEach(FakeConnection::wake)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("", unflushed(members)));
        assertEquals(Outbox.MAX_RUN, flushedBeforeTask.get(), "flushes before the task queued during the first run");
        assertEquals(List.of(), List.copyOf(violations));
    }

    private static String unflushed(List<FakeConnection> members) {
        return members.stream().filter(m -> m.served.get() != m.woken.get())
                .map(m -> m.served.get() + " of " + m.woken.get() + " (" + m.pending.get() + ")")
                .collect(Collectors.joining(", "));
    }

    /** A connection's side of the protocol, without the connection. */
    private class FakeConnection implements Outbox.Member {

        private final Outbox outbox;
        /** Decides on the loop when a flush stops with the socket full; {@code null}: never. */
        private final SplittableRandom stalls;
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicLong woken = new AtomicLong();
        private final AtomicLong served = new AtomicLong();
        private boolean flushing;
        /** When the last flush began, from {@link System#nanoTime()}. */
        private volatile long flushedAt;

        FakeConnection(Outbox outbox, SplittableRandom stalls) {
            this.outbox = outbox;
            this.stalls = stalls;
        }

        /** What a producer does after queueing a frame. */
        void wake() {
            woken.incrementAndGet();
            if (pending.getAndIncrement() == 0) {
                outbox.schedule(this);
            }
        }

        @Override
        public void flush() {
            if (!loop.inEventLoop()) {
                violations.add("flushed on " + Thread.currentThread().getName());
            }
            if (flushing) {
                violations.add("flushed while flushing");
            }
            flushing = true;
            flushedAt = System.nanoTime();
            try {
                int stall = stalls == null ? -1 : stalls.nextInt(16);
                if (stall == 0) {
                    // the socket is full before the queue is read: what is pending stays counted, so producers do
                    // not schedule the member, and the drain handler flushes it later
                    loop.schedule(this::flush, stalls.nextInt(50), TimeUnit.MICROSECONDS);
                    return;
                }
                if (stall == 1) {
                    // the queue was read and catching up filled the socket: nothing is counted any more, so a
                    // producer may schedule the member again before the drain handler flushes it
                    int missed = pending.get();
                    served.addAndGet(missed);
                    pending.addAndGet(-missed);
                    loop.schedule(this::flush, stalls.nextInt(50), TimeUnit.MICROSECONDS);
                    return;
                }
                for (;;) {
                    int missed = pending.get();
                    served.addAndGet(missed);
                    if (pending.addAndGet(-missed) == 0) {
                        return;
                    }
                }
            } finally {
                flushing = false;
            }
        }
    }
}
