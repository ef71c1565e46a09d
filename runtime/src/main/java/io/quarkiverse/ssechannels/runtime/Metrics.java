package io.quarkiverse.ssechannels.runtime;

import java.util.function.IntSupplier;

import io.quarkiverse.ssechannels.Resume;

/**
 * Where the extension reports what it does, when the application has Micrometer and
 * {@code quarkus.sse-channels.metrics.enabled} is on ({@link MicrometerMetrics}); without them there is no instance,
 * and nothing is counted.
 */
interface Metrics {

    /** @return the counters of a configured or injected channel, under its own tag, created with it */
    ChannelCounters named(String name);

    /**
     * @return the counters shared by every temporary channel, every channel the application made itself, and every
     *         named channel neither configured nor injected
     */
    ChannelCounters unnamed();

    /** @param open how many streams are open now, for a gauge */
    void watchOpen(IntSupplier open);

    void opened();

    /** A stream was refused before it opened ({@code 503}): the application or a channel was full. */
    void refused();

    void closed(CloseReason reason);

    /** A client that sent a last event id joined channels: {@link Resume#EXACT} or {@link Resume#GAP}. */
    void resumed(Resume outcome);

    /**
     * A stream ended: what it queued and wrote, recorded once per stream rather than on every write, which the event
     * loops would pay for on every delivery.
     *
     * @param peakQueued the most bytes its queue held when its event loop took to it
     * @param writes how many writes of frames it made
     * @param bytesWritten their bytes
     */
    void ended(long peakQueued, long writes, long bytesWritten);

    /** An event was published to a shared log in that many nanoseconds, or failed after them. */
    void sharedPublish(long nanos, boolean succeeded);

    /**
     * The shared log's broker failed to do something in time.
     *
     * @param operation what: {@code publish}, {@code attach} or {@code refresh}
     */
    void backendError(String operation);
}
