package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig;
import io.quarkus.arc.SyntheticCreationalContext;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.shutdown.ShutdownListener;

/**
 * Creates the synthetic beans and checks the configuration when the application starts. Recorded values are only
 * names: every runtime object is created lazily at run time.
 */
@Recorder
public class SseChannelsRecorder {

    private static final String PREFIX = "quarkus.sse-channels.";
    /** Longer than this, a write delay is no longer a wait for company but a lag (and would outlast the shutdown). */
    private static final Duration MAX_WRITE_DELAY = Duration.ofMillis(100);
    /** Said by the build, or the start-up, of an application that asks for Redis without its client. */
    public static final String REDIS_NEEDS_CLIENT = "[" + PREFIX + "backend] is redis, but the application has no "
            + "Redis client: add the io.quarkus:quarkus-redis-client dependency, and configure quarkus.redis.hosts";

    private final RuntimeValue<SseChannelsRuntimeConfig> config;

    public SseChannelsRecorder(RuntimeValue<SseChannelsRuntimeConfig> config) {
        this.config = config;
    }

    public Function<SyntheticCreationalContext<Channel>, Channel> namedChannel(String name) {
        return context -> context.getInjectedReference(SseChannels.class).channel(name);
    }

    /** @param keyType the name of the store's key class */
    public Function<SyntheticCreationalContext<TemporaryChannels<?>>, TemporaryChannels<?>> store(String name,
            String keyType) {
        Function<String, ?> keys = keysOf(keyType);
        return context -> ((SseChannelsImpl) context.getInjectedReference(SseChannels.class)).store(name, keys);
    }

    /**
     * @return how a key of this type is read back from its text in the broker, {@code null} for a type whose keys
     *         cannot be
     */
    static Function<String, ?> keysOf(String keyType) {
        return switch (keyType) {
            case "java.lang.String" -> Function.identity();
            case "java.lang.Long" -> Long::valueOf;
            case "java.lang.Integer" -> Integer::valueOf;
            case "java.util.UUID" -> UUID::fromString;
            default -> null;
        };
    }

    public ShutdownListener shutdownListener() {
        return new StreamsShutdownListener();
    }

    /**
     * Fails start-up on a negative size or duration, naming the full configuration key.
     */
    public void validateConfig(boolean redisClient, Map<String, String> storeKeyTypes) {
        SseChannelsRuntimeConfig c = config.getValue();
        if (c.backend() == SseChannelsRuntimeConfig.Backend.REDIS) {
            if (!redisClient) {
                throw new ConfigurationException(REDIS_NEEDS_CLIENT);
            }
            storeKeyTypes.forEach((store, keyType) -> {
                if (keysOf(keyType) == null) {
                    throw new ConfigurationException("[" + PREFIX + "backend] is redis, but the keys of store [" + store
                            + "] have type [" + keyType + "], which cannot be read back from Redis: use String, Long, "
                            + "Integer or UUID keys");
                }
            });
        }
        requirePositive(PREFIX + "redis.timeout", c.redis().timeout().toMillis());
        requirePositive(PREFIX + "redis.presence-interval", c.redis().presenceInterval().toMillis());
        requireNotNegative(PREFIX + "ping-interval", c.pingInterval().isNegative(), c.pingInterval());
        requireNotNegative(PREFIX + "timeout", c.timeout().isNegative(), c.timeout());
        requireNotNegative(PREFIX + "history-size", c.historySize() < 0, c.historySize());
        requireNotNegative(PREFIX + "empty-timeout", c.emptyTimeout().isNegative(), c.emptyTimeout());
        requirePositive(PREFIX + "max-queued-bytes", c.maxQueuedBytes().asLongValue());
        requirePositive(PREFIX + "max-data-size", c.maxDataSize().asLongValue());
        c.maxConnections().ifPresent(v -> requirePositive(PREFIX + "max-connections", v));
        requireNotNegative(PREFIX + "retry-after", c.retryAfter() < 0, c.retryAfter());
        requireNotNegative(PREFIX + "shutdown-retry", c.shutdownRetry().isNegative(), c.shutdownRetry());
        requireNotNegative(PREFIX + "close-timeout", c.closeTimeout().isNegative(), c.closeTimeout());
        requireNotNegative(PREFIX + "write-delay", c.writeDelay().isNegative(), c.writeDelay());
        if (c.writeDelay().compareTo(MAX_WRITE_DELAY) > 0) {
            throw new ConfigurationException("[" + PREFIX + "write-delay] must be at most " + MAX_WRITE_DELAY.toMillis()
                    + " ms, got [" + c.writeDelay() + "]: it delays every write a publisher starts");
        }
        if (!c.closeTimeout().isZero() && c.closeTimeout().compareTo(c.writeDelay()) <= 0) {
            throw new ConfigurationException("[" + PREFIX + "close-timeout] must be longer than [" + PREFIX
                    + "write-delay], got [" + c.closeTimeout() + "] and [" + c.writeDelay() + "]: a stream closed from "
                    + "another thread would be cut before its last frames were written");
        }
        for (Map.Entry<String, SseChannelsRuntimeConfig.ChannelConfig> e : c.channels().entrySet()) {
            String key = PREFIX + "channels.\"" + e.getKey() + "\".";
            e.getValue().historySize().ifPresent(v -> requireNotNegative(key + "history-size", v < 0, v));
            e.getValue().emptyTimeout().ifPresent(v -> requireNotNegative(key + "empty-timeout", v.isNegative(), v));
            e.getValue().maxConnections().ifPresent(v -> requirePositive(key + "max-connections", v));
        }
        for (Map.Entry<String, SseChannelsRuntimeConfig.StoreConfig> e : c.stores().entrySet()) {
            String key = PREFIX + "stores.\"" + e.getKey() + "\".";
            e.getValue().historySize().ifPresent(v -> requireNotNegative(key + "history-size", v < 0, v));
            e.getValue().emptyTimeout().ifPresent(v -> requireNotNegative(key + "empty-timeout", v.isNegative(), v));
        }
    }

    private static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new ConfigurationException("[" + key + "] must be positive, got [" + value + "]");
        }
    }

    private static void requireNotNegative(String key, boolean negative, Object value) {
        if (negative) {
            throw new ConfigurationException("[" + key + "] must be zero or positive, got [" + value + "]");
        }
    }
}
