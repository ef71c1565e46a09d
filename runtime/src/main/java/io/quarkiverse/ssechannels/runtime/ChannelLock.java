package io.quarkiverse.ssechannels.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of a channel. Sends hold it for a short while and are often many: handing it over through a queue at
 * every send would cost a context switch each (two threads sending to one channel ran at a fourteenth of one
 * thread's rate that way), so a send takes it as soon as it is free, spinning for a moment while it is held. Anyone
 * else who wants it is counted as waiting while they do, and sends give way to them: no tight loop of sends can keep
 * a join, a leave or an event loop turning a connection live away from it.
 */
final class ChannelLock {

    /**
     * How long a send spins before it waits in the queue: longer than a send with a few hundred connections holds
     * the lock, and than a parked thread takes to wake up and take it.
     */
    private static final long SPIN_NANOS = 20_000;
    /** How long an event loop spins for the lock before it tries again later. */
    private static final long TRY_NANOS = 5_000;

    private final ReentrantLock lock = new ReentrantLock(true);
    /** The threads waiting for the lock other than sends still spinning: sends do not take it ahead of them. */
    private final AtomicInteger waiting = new AtomicInteger();

    /** For a change: waits in order behind every thread queued before it, counted as waiting. */
    void lock() {
        if (lock.isHeldByCurrentThread()) {
            lock.lock();
            return;
        }
        waiting.incrementAndGet();
        try {
            lock.lock();
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** For a send: takes the lock when it is free and nobody waits for it; queues as a change if that takes long. */
    void lockToSend() {
        if (waiting.get() == 0 && lock.tryLock()) {
            return;
        }
        if (!lock.isHeldByCurrentThread()) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            do {
                Thread.onSpinWait();
                // a fair lock's tryLock takes a free lock ahead of the queue: asked only when nobody waits
                if (waiting.get() == 0 && lock.tryLock()) {
                    return;
                }
            } while (System.nanoTime() < deadline);
        }
        lock();
    }

    /**
     * For an event loop, which must not wait: spins for a few microseconds for the lock, counted as waiting so that
     * sends let it in.
     *
     * @return whether it holds the lock
     */
    boolean tryLockSoon() {
        if (lock.tryLock()) {
            return true;
        }
        waiting.incrementAndGet();
        try {
            long deadline = System.nanoTime() + TRY_NANOS;
            do {
                Thread.onSpinWait();
                if (lock.tryLock()) {
                    return true;
                }
            } while (System.nanoTime() < deadline);
            return false;
        } finally {
            waiting.decrementAndGet();
        }
    }

    void unlock() {
        lock.unlock();
    }
}
