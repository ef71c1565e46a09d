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

    Timer once(EventExecutor loop, Duration delay, Runnable task) {
        Timer timer = new Timer(task, false);
        timer.start(loop.schedule(timer::fire, delay.toNanos(), TimeUnit.NANOSECONDS));
        return timer;
    }

    Timer periodic(EventExecutor loop, Duration period, Runnable task) {
        Timer timer = new Timer(task, true);
        long nanos = period.toNanos();
        timer.start(loop.scheduleAtFixedRate(timer::fire, nanos, nanos, TimeUnit.NANOSECONDS));
        return timer;
    }

    /**
     * @return the number of timers scheduled and neither fired (one-shot) nor cancelled
     */
    int pending() {
        return pending.get();
    }

    final class Timer {
        private static final AtomicIntegerFieldUpdater<Timer> DONE = AtomicIntegerFieldUpdater.newUpdater(Timer.class,
                "done");

        private final Runnable task;
        private final boolean periodic;
        /** 1 once fired (one-shot) or cancelled; an updater rather than an atomic object: two timers per connection. */
        private volatile int done;
        private volatile ScheduledFuture<?> future;

        private Timer(Runnable task, boolean periodic) {
            this.task = task;
            this.periodic = periodic;
            pending.incrementAndGet();
        }

        private void start(ScheduledFuture<?> scheduled) {
            future = scheduled;
            if (done == 1) {
                // cancelled while it was being scheduled
                scheduled.cancel(false);
            }
        }

        private void fire() {
            if (periodic) {
                if (done == 0) {
                    task.run();
                }
            } else if (DONE.compareAndSet(this, 0, 1)) {
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
