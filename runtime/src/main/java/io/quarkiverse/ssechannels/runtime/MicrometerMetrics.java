package io.quarkiverse.ssechannels.runtime;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkiverse.ssechannels.Resume;

/**
 * The extension's meters, under {@code sse.channels.*}, in the application's Micrometer registry. Registered as a bean
 * only when the application has Micrometer. Channel meters read counters the channels keep: recording an event costs
 * an adder's increment, never a registry lookup.
 */
@Singleton
public class MicrometerMetrics implements Metrics {

    /**
     * The {@code channel} tag of every temporary channel, of channels the application made itself, and of named
     * channels neither configured nor injected.
     */
    static final String UNNAMED = "(other)";

    private final MeterRegistry registry;
    private final ChannelCounters unnamed;
    private final Counter opened;
    private final Counter refused;
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Map<Resume, Counter> resumes = new EnumMap<>(Resume.class);
    private final Map<String, Counter> backendErrors = new HashMap<>(4);
    private final DistributionSummary queued;
    private final DistributionSummary written;
    private final Timer sharedPublished;
    private final Timer sharedPublishFailed;

    @Inject
    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.unnamed = register(UNNAMED);
        this.opened = Counter.builder("sse.channels.connections.opened")
                .description("SSE streams opened").register(registry);
        this.refused = Counter.builder("sse.channels.connections.refused")
                .description("SSE streams refused (503) because the application or a channel was full")
                .register(registry);
        for (String operation : new String[] { "publish", "attach", "refresh" }) {
            backendErrors.put(operation, Counter.builder("sse.channels.redis.errors")
                    .description("Operations on a shared log that failed or timed out, as the application saw them")
                    .tag("operation", operation).register(registry));
        }
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, Counter.builder("sse.channels.connections.closed")
                    .description("SSE streams ended, by why").tag("reason", reason.tag).register(registry));
        }
        for (Resume outcome : new Resume[] { Resume.EXACT, Resume.GAP }) {
            resumes.put(outcome, Counter.builder("sse.channels.resumes")
                    .description("Joins of clients that sent a last event id, by whether they got exactly what they "
                            + "missed")
                    .tag("result", outcome.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        this.queued = DistributionSummary.builder("sse.channels.queue.bytes").baseUnit("bytes")
                .description("The most bytes a stream's queue held when its event loop took to it, by stream")
                .register(registry);
        this.written = DistributionSummary.builder("sse.channels.write.bytes").baseUnit("bytes")
                .description("Bytes per write of a stream (its frames are batched), by stream").register(registry);
        this.sharedPublished = sharedPublish("success");
        this.sharedPublishFailed = sharedPublish("failure");
    }

    @Override
    public void ended(long peakQueued, long writes, long bytesWritten) {
        queued.record(peakQueued);
        if (writes > 0) {
            written.record((double) bytesWritten / writes);
        }
    }

    private Timer sharedPublish(String outcome) {
        return Timer.builder("sse.channels.redis.publish")
                .description("Publishing an event to a channel's shared log in Redis, until Redis answered or failed")
                .tag("outcome", outcome).register(registry);
    }

    @Override
    public void sharedPublish(long nanos, boolean succeeded) {
        (succeeded ? sharedPublished : sharedPublishFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void backendError(String operation) {
        backendErrors.get(operation).increment();
    }

    /** A channel named like the shared tag value shares its counters. */
    @Override
    public ChannelCounters named(String name) {
        return UNNAMED.equals(name) ? unnamed : register(name);
    }

    @Override
    public ChannelCounters unnamed() {
        return unnamed;
    }

    private ChannelCounters register(String channel) {
        ChannelCounters counters = new ChannelCounters();
        Tags tags = Tags.of("channel", channel);
        Gauge.builder("sse.channels.connections", counters.connections, LongAdder::sum)
                .description("Connections in the channel now").tags(tags).register(registry);
        counter("sse.channels.events.published", "Events published to the channel from this instance", tags,
                counters.published);
        counter("sse.channels.events.delivered", "Events written to connections of the channel, live or replayed",
                tags, counters.delivered);
        counter("sse.channels.events.replayed", "Events replayed from the channel's history to connections "
                + "catching up", tags, counters.replayed);
        return counters;
    }

    private void counter(String name, String description, Tags tags, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).tags(tags).register(registry);
    }

    @Override
    public void watchOpen(IntSupplier open) {
        Gauge.builder("sse.channels.connections.open", open::getAsInt)
                .description("SSE streams open now, in channels or not").register(registry);
    }

    @Override
    public void opened() {
        opened.increment();
    }

    @Override
    public void refused() {
        refused.increment();
    }

    @Override
    public void closed(CloseReason reason) {
        closed.get(reason).increment();
    }

    @Override
    public void resumed(Resume outcome) {
        Counter counter = resumes.get(outcome);
        if (counter != null) {
            counter.increment();
        }
    }
}
