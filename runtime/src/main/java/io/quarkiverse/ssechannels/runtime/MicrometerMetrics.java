package io.quarkiverse.ssechannels.runtime;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkiverse.ssechannels.Resume;

/**
 * The extension's meters, under {@code sse.channels.*}, in the application's Micrometer registry. Registered as a bean
 * only when the application has Micrometer. Channel meters read counters the channels keep: recording an event costs
 * an adder's increment, never a registry lookup.
 */
@Singleton
public class MicrometerMetrics implements Metrics {

    /** The {@code channel} tag of every temporary channel, and of channels the application made itself. */
    static final String UNNAMED = "temporary";

    private final MeterRegistry registry;
    private final ChannelCounters unnamed;
    private final Counter opened;
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Map<Resume, Counter> resumes = new EnumMap<>(Resume.class);

    @Inject
    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.unnamed = register(UNNAMED);
        this.opened = Counter.builder("sse.channels.connections.opened")
                .description("SSE streams opened").register(registry);
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, Counter.builder("sse.channels.connections.closed")
                    .description("SSE streams ended, by why").tag("reason", reason.tag).register(registry));
        }
        for (Resume outcome : new Resume[] { Resume.EXACT, Resume.GAP }) {
            resumes.put(outcome, Counter.builder("sse.channels.resumes")
                    .description("Joins of clients that sent a last event id, by whether they got exactly what they "
                            + "missed")
                    .tag("result", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
    }

    @Override
    public ChannelCounters named(String name) {
        return register(name);
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
    public void opened() {
        opened.increment();
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
