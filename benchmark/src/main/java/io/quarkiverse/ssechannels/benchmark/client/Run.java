package io.quarkiverse.ssechannels.benchmark.client;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one measured run: deliveries, probes and delivery latencies.
 */
final class Run {

    private final long[] latencies;
    private final AtomicInteger samples = new AtomicInteger();
    final LongAdder deliveries = new LongAdder();
    final LongAdder probedSubscribers = new LongAdder();
    volatile long lastDelivery;

    Run(int maxSamples) {
        latencies = new long[maxSamples];
    }

    void delivered(long latencyNanos) {
        deliveries.increment();
        lastDelivery = System.nanoTime();
        int i = samples.getAndIncrement();
        if (i < latencies.length) {
            latencies[i] = latencyNanos;
        }
    }

    void probed(Subscriber subscriber) {
        if (subscriber.probes == 1) {
            probedSubscribers.increment();
        }
    }

    /** @return the given percentiles of the latencies, in microseconds */
    long[] percentilesMicros(double... percentiles) {
        int n = Math.min(samples.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        long[] result = new long[percentiles.length];
        for (int i = 0; i < percentiles.length; i++) {
            result[i] = n == 0 ? -1 : sorted[(int) Math.min(n - 1, Math.ceil(percentiles[i] / 100.0 * n) - 1)] / 1000;
        }
        return result;
    }
}
