package io.quarkiverse.ssechannels.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of a channel. Sends hold it for a short while and are often many: handing it over through a queue at
 * every send would cost a context switch each (two threads sending to one channel ran at a fourteenth of one
 * thread's rate that way), so a send takes it as soon as it is free, spinning for a moment while it is held. Anyone
 * else who waits for it is counted while they do, and sends give way to them: no tight loop of sends can keep a join
 * or a leave away from it.
 */
final class ChannelLock {

    /**
     * How long a send spins before it waits in the queue: about as long as a parked thread takes to wake up and take
     * the lock, and longer than a send to a few dozen connections holds it.
     */
    private static final long SPIN_NANOS = 20_000;

    private final ReentrantLock lock = new ReentrantLock(true);
    /** The threads waiting for the lock other than sends still spinning: sends do not take it ahead of them. */
    private final AtomicInteger waiting = new AtomicInteger();

    /** For a change: waits in order behind every thread queued before it, counted as waiting. */
    void lock() {
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
     * For an event loop, which must not wait: takes the lock if it is free. Not counted as waiting, and no spinning:
     * every connection catching up tries again a millisecond later, and hundreds of them spinning would take the
     * event loop from the live connections.
     */
    boolean tryLock() {
        return lock.tryLock();
    }

    void unlock() {
        lock.unlock();
    }
}
