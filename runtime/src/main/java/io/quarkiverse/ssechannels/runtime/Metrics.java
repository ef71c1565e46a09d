package io.quarkiverse.ssechannels.runtime;

import io.quarkiverse.ssechannels.Resume;

/**
 * Where the extension reports what it does, when the application has Micrometer and
 * {@code quarkus.sse-channels.metrics.enabled} is on ({@link MicrometerMetrics}); without them there is no instance,
 * and nothing is counted.
 */
interface Metrics {

    /** @return the counters of a named channel, under its own tag, created with it */
    ChannelCounters named(String name);

    /** @return the counters shared by every temporary channel and every channel the application made itself */
    ChannelCounters unnamed();

    void opened();

    void closed(CloseReason reason);

    /** A client that sent a last event id joined channels: {@link Resume#EXACT} or {@link Resume#GAP}. */
    void resumed(Resume outcome);
}
