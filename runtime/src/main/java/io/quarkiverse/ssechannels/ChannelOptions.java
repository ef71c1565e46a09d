package io.quarkiverse.ssechannels;

import java.time.Duration;
import java.util.Objects;

/**
 * Options for a channel created with {@link SseChannels#newChannel}. Immutable and thread safe.
 */
public final class ChannelOptions {

    private final int historySize;
    private final Duration emptyTimeout;

    private ChannelOptions(int historySize, Duration emptyTimeout) {
        this.historySize = historySize;
        this.emptyTimeout = emptyTimeout;
    }

    /**
     * @param historySize how many events the channel keeps for replay; 0 turns the history off
     * @param emptyTimeout how long the channel may stay empty before it closes itself; {@link Duration#ZERO} means
     *        never
     * @return the options
     * @throws IllegalArgumentException if a value is negative
     */
    public static ChannelOptions of(int historySize, Duration emptyTimeout) {
        if (historySize < 0) {
            throw new IllegalArgumentException("[historySize] must be 0 (no history) or more, got [" + historySize + "]");
        }
        return new ChannelOptions(historySize, ConnectionOptions.requireNotNegative("emptyTimeout",
                Objects.requireNonNull(emptyTimeout, "emptyTimeout")));
    }

    /**
     * @return how many events the channel keeps for replay
     */
    public int historySize() {
        return historySize;
    }

    /**
     * @return how long the channel may stay empty before closing, {@link Duration#ZERO} for never
     */
    public Duration emptyTimeout() {
        return emptyTimeout;
    }
}
