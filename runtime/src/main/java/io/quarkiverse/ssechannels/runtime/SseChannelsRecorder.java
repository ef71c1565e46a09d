package io.quarkiverse.ssechannels.runtime;

import java.util.Map;
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

    private final RuntimeValue<SseChannelsRuntimeConfig> config;

    public SseChannelsRecorder(RuntimeValue<SseChannelsRuntimeConfig> config) {
        this.config = config;
    }

    public Function<SyntheticCreationalContext<Channel>, Channel> namedChannel(String name) {
        return context -> context.getInjectedReference(SseChannels.class).channel(name);
    }

    public Function<SyntheticCreationalContext<TemporaryChannels<?>>, TemporaryChannels<?>> store(String name) {
        return context -> ((SseChannelsImpl) context.getInjectedReference(SseChannels.class)).store(name);
    }

    public ShutdownListener shutdownListener() {
        return new StreamsShutdownListener();
    }

    /**
     * Fails start-up on a negative size or duration, naming the full configuration key.
     */
    public void validateConfig() {
        SseChannelsRuntimeConfig c = config.getValue();
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
