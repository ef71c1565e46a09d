package io.quarkiverse.ssechannels.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * does). Whatever the interleaving of producers and runs, every member is flushed after every wake, on the loop, one
 * flush at a time.
 */
public class OutboxTest {

    private static final long SEED = 20261205L;
    private static final int PRODUCERS = 3;
    private static final int MEMBERS = 64;
    private static final int ROUNDS = 10;
    private static final int WAKES_PER_PRODUCER = 30_000;

    private final EventLoop loop = new DefaultEventLoop();
    /** What went wrong on the loop: a flush off it, or two at once. */
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void everyWakeIsFlushedWhateverTheInterleaving() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Outbox outbox = new Outbox(loop);
            SplittableRandom seeds = new SplittableRandom(SEED + round);
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                members.add(new Member(outbox, seeds.split()));
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
                    .failFast(() -> !violations.isEmpty())
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
        Outbox outbox = new Outbox(loop);
        Member member = new Member(outbox, null);
        loop.submit(outbox).get(10, TimeUnit.SECONDS);
        member.wake();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("", unflushed(List.of(member))));
        assertEquals(List.of(), List.copyOf(violations));
    }

    /**
     * A member woken while a run goes on is past that run's count: the run leaves it in the list, and the next run
     * must come without another wake (here the wake comes from the loop itself, in the middle of the run; a
     * publisher's comes from its own thread at any moment).
     */
    @Test
    void aMemberWokenDuringARunIsFlushedByTheNext() {
        Outbox outbox = new Outbox(loop);
        Member late = new Member(outbox, null);
        Member first = new Member(outbox, null) {
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

    private static String unflushed(List<Member> members) {
        return members.stream().filter(m -> m.served.get() != m.woken.get())
                .map(m -> m.served.get() + " of " + m.woken.get() + " (" + m.pending.get() + ")")
                .collect(Collectors.joining(", "));
    }

    /** A connection's side of the protocol, without the connection. */
    private class Member implements Outbox.Member {

        private final Outbox outbox;
        /** Decides on the loop when a flush stops with the socket full; {@code null}: never. */
        private final SplittableRandom stalls;
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicLong woken = new AtomicLong();
        private final AtomicLong served = new AtomicLong();
        private boolean flushing;

        Member(Outbox outbox, SplittableRandom stalls) {
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
            try {
                if (stalls != null && stalls.nextInt(8) == 0) {
                    // the socket is full: what is pending stays counted, so producers do not schedule the member,
                    // and the drain handler flushes it later
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
