package io.quarkiverse.ssechannels;

import java.time.Duration;
import java.util.Objects;

/**
 * Options for one connection, each falling back to its {@code quarkus.sse-channels.*} configuration value when not
 * set. Immutable and thread safe: every {@code with} method returns a new instance.
 */
public final class ConnectionOptions {

    private static final ConnectionOptions DEFAULTS = new ConnectionOptions(null, null);

    private final Duration pingInterval;
    private final Duration timeout;

    private ConnectionOptions(Duration pingInterval, Duration timeout) {
        this.pingInterval = pingInterval;
        this.timeout = timeout;
    }

    /**
     * @return options with nothing set, so that every value comes from the configuration
     */
    public static ConnectionOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param interval how often a ping comment is written; {@link Duration#ZERO} disables pings
     * @return new options with this ping interval
     * @throws IllegalArgumentException if the interval is negative
     */
    public ConnectionOptions withPingInterval(Duration interval) {
        return new ConnectionOptions(requireNotNegative("pingInterval", interval), timeout);
    }

    /**
     * Turns pings off, the same as {@code withPingInterval(Duration.ZERO)}.
     *
     * @return new options without pings
     */
    public ConnectionOptions withoutPing() {
        return withPingInterval(Duration.ZERO);
    }

    /**
     * @param timeout the maximum lifetime of the stream, after which the server ends it cleanly (clients then
     *        reconnect); {@link Duration#ZERO} disables it
     * @return new options with this timeout
     * @throws IllegalArgumentException if the timeout is negative
     */
    public ConnectionOptions withTimeout(Duration timeout) {
        return new ConnectionOptions(pingInterval, requireNotNegative("timeout", timeout));
    }

    /**
     * @return the ping interval, or {@code null} to use {@code quarkus.sse-channels.ping-interval}
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * @return the timeout, or {@code null} to use {@code quarkus.sse-channels.timeout}
     */
    public Duration timeout() {
        return timeout;
    }

    static Duration requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException("[" + name + "] must be zero (disabled) or positive, got [" + value + "]");
        }
        return value;
    }
}
