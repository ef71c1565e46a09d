package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Schedules tasks on Netty event loops and counts the ones still pending, so that a leak of timers (a connection or
 * channel that went away without cancelling its own) shows up as a number.
 */
final class Timers {

    private final AtomicInteger pending = new AtomicInteger();

    /** @return the duration in nanoseconds, or the longest a long holds for a longer one (some 292 years) */
    static long nanos(Duration duration) {
        return duration.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : duration.toNanos();
    }

    /** @param delayNanos the delay, from {@link #nanos} for a configured duration */
    Timer once(EventExecutor loop, long delayNanos, Runnable task) {
        Timer timer = new Timer(task);
        timer.start(loop.schedule(timer, delayNanos, TimeUnit.NANOSECONDS));
        return timer;
    }

    /**
     * @return the number of timers scheduled and neither fired nor cancelled
     */
    int pending() {
        return pending.get();
    }

    /** Runs its task once, unless cancelled first; it is the task Netty schedules, so no other object is kept. */
    final class Timer implements Runnable {
        private static final AtomicIntegerFieldUpdater<Timer> DONE = AtomicIntegerFieldUpdater.newUpdater(Timer.class,
                "done");

        private final Runnable task;
        /** 1 once fired or cancelled; an updater rather than an atomic object: a timer per connection. */
        private volatile int done;
        private volatile ScheduledFuture<?> future;

        private Timer(Runnable task) {
            this.task = task;
            pending.incrementAndGet();
        }

        private void start(ScheduledFuture<?> scheduled) {
            future = scheduled;
            if (done == 1) {
                // cancelled while it was being scheduled
                scheduled.cancel(false);
            }
        }

        @Override
        public void run() {
            if (DONE.compareAndSet(this, 0, 1)) {
                pending.decrementAndGet();
                task.run();
            }
        }

        void cancel() {
            if (DONE.compareAndSet(this, 0, 1)) {
                pending.decrementAndGet();
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
            }
        }
    }
}
