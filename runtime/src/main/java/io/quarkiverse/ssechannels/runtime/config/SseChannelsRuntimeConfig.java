package io.quarkiverse.ssechannels.runtime.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * SSE channels configuration, read at run time.
 */
@ConfigMapping(prefix = "quarkus.sse-channels")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface SseChannelsRuntimeConfig {

    /**
     * Where channels keep their history and how their events reach connections. `memory`: in this application
     * instance only, nothing else is contacted. `redis`: named channels and temporary channels are shared by every
     * instance that uses the same Redis, through the application's Redis client (`quarkus-redis-client`, configured
     * with `quarkus.redis.*`); see the "Running several instances" page.
     */
    @WithDefault("memory")
    Backend backend();

    /**
     * Where channels keep their history and how their events reach connections.
     */
    enum Backend {
        /** In this application instance only. */
        MEMORY,
        /** Shared by every instance through Redis Streams and Redis Pub/Sub. */
        REDIS
    }

    /**
     * The Redis backend, used when `backend` is `redis`.
     */
    Redis redis();

    /**
     * Metrics, reported when the application has Micrometer (`quarkus-micrometer`).
     */
    MetricsConfig metrics();

    /**
     * Metrics.
     */
    interface MetricsConfig {

        /**
         * Whether the extension's meters (`sse.channels.*`: connections, events published, delivered and replayed,
         * resumes, queue and write sizes, Redis publishes and errors) are registered in the application's Micrometer
         * registry. Without Micrometer, nothing is counted whatever this says.
         */
        @WithDefault("true")
        boolean enabled();
    }

    /**
     * The Redis backend.
     */
    interface Redis {

        /**
         * The name of the Redis client to use, as in `quarkus.redis.<name>.hosts`; by default, the default client
         * (`quarkus.redis.hosts`). A named client must be configured in `application.properties`, where Quarkus
         * decides at build time which clients exist.
         */
        Optional<String> clientName();

        /**
         * How long a publish, or a connection's first join of a channel, waits for Redis before it fails with a
         * `BackendUnavailableException`. By default, 1 second.
         */
        @WithDefault("1s")
        Duration timeout();

        /**
         * The prefix of every Redis key and Pub/Sub channel of the extension, so that several applications can share
         * one Redis. By default, `sse`.
         */
        @WithDefault("sse")
        String keyPrefix();

        /**
         * How often an instance tells Redis which temporary channels it has connections for. A temporary channel is
         * listed by every instance while one of them has a connection to it, and for its empty timeout after the
         * last one left, but never less than 3 presence intervals. By default, every 5 seconds.
         */
        @WithDefault("5s")
        Duration presenceInterval();
    }

    /**
     * How often each connection writes a ping comment, which keeps proxies from closing an idle stream and reveals
     * clients that vanished without closing their socket. By default, every 50 seconds. `0` disables pings.
     */
    @WithDefault("50s")
    Duration pingInterval();

    /**
     * The maximum lifetime of a connection: the server then ends the stream cleanly and the client reconnects,
     * replaying what it missed from channel histories. By default, 12 hours. `0` disables the timeout.
     */
    @WithDefault("12h")
    Duration timeout();

    /**
     * How long a connection's write waits for more when a thread other than its own event loop (a worker thread, a
     * virtual thread, another event loop) queued the first frame of it: what any publisher queues meanwhile goes out
     * in the same socket writes. A frame queued while such a write is waiting joins it. Under many concurrent
     * publishers this takes a large share of the writes, and of the CPU, away; a lone event is delayed by as much (on
     * an idle event loop, to the next millisecond). It holds every frame, the end of a stream included. By default, 1
     * millisecond; at most 100 ms, and shorter than `close-timeout`. `0` writes at once.
     */
    @WithDefault("1ms")
    Duration writeDelay();

    /**
     * How many events a channel keeps for replay to reconnecting clients. By default, 500. `0` disables the
     * history, and with it the replay of what was published between a stream's start and its joining a channel.
     * Named channels and stores can override it.
     */
    @WithDefault("500")
    int historySize();

    /**
     * How long a temporary channel may stay without connections before it closes and leaves its store. By default,
     * 10 minutes. `0` keeps empty temporary channels until the application stops. Stores can override it.
     */
    @WithDefault("10m")
    Duration emptyTimeout();

    /**
     * How many bytes may wait to be written to one connection. A client that stops reading fills its queue, and the
     * connection is then closed rather than let memory grow or slow the others; the client can reconnect and replay
     * what it missed. By default, 1 MiB.
     */
    @WithDefault("1M")
    MemorySize maxQueuedBytes();

    /**
     * The largest event data accepted by `send`, in bytes of UTF-8; larger data is refused with an
     * `IllegalArgumentException`. By default, 512 KiB.
     */
    @WithDefault("512K")
    MemorySize maxDataSize();

    /**
     * How many connections this application instance keeps open at most. Past it, opening a connection answers
     * `503 Service Unavailable` with a `Retry-After` header. By default, no limit.
     */
    OptionalInt maxConnections();

    /**
     * The `Retry-After` delay, in seconds, sent with a `503` when a connection limit is reached, and as a `retry:`
     * hint to a connection refused by a full channel after its stream started. By default, 5.
     */
    @WithDefault("5")
    int retryAfter();

    /**
     * How long a stream the server ends (its timeout, `Connection.close()`, a full channel) may take to write what
     * was queued before the end. A client that does not read meanwhile has its connection cut instead. By default,
     * 10 seconds. `0` waits as long as the client takes.
     */
    @WithDefault("10s")
    Duration closeTimeout();

    /**
     * The reconnection delay sent as a final `retry:` hint to every client when the application stops, so that
     * browsers come back soon after a restart. By default, 1 second. `0` sends no hint.
     */
    @WithDefault("1s")
    Duration shutdownRetry();

    /**
     * Configuration of named channels, those injected with `@ChannelName("<name>")`.
     */
    @ConfigDocMapKey("channel-name")
    Map<String, ChannelConfig> channels();

    /**
     * Configuration of one named channel.
     */
    interface ChannelConfig {

        /**
         * How many events this channel keeps for replay. By default, `quarkus.sse-channels.history-size`.
         */
        OptionalInt historySize();

        /**
         * How long this channel may stay without connections before it drops its history, to free the memory of a
         * channel nobody listens to; a client that resumes later is told of the gap. The channel itself lives as
         * long as the application. By default, the history is kept.
         */
        Optional<Duration> emptyTimeout();

        /**
         * How many connections this channel holds at most. Past it, `Channel.open` answers `503 Service
         * Unavailable` with a `Retry-After` header. By default, no limit.
         */
        OptionalInt maxConnections();
    }

    /**
     * Configuration of temporary channel stores, those injected with `@ChannelStore("<name>")`.
     */
    @ConfigDocMapKey("store-name")
    Map<String, StoreConfig> stores();

    /**
     * Configuration of one store of temporary channels.
     */
    interface StoreConfig {

        /**
         * How many events each channel of this store keeps for replay. By default,
         * `quarkus.sse-channels.history-size`.
         */
        OptionalInt historySize();

        /**
         * How long a channel of this store may stay without connections before it closes and leaves the store. By
         * default, `quarkus.sse-channels.empty-timeout`.
         */
        Optional<Duration> emptyTimeout();

        /**
         * How many connections each channel of this store holds at most, on each instance: with one channel per user,
         * how many streams a user may have open at once. Past it, a connection that joins the channel gets a
         * `retry:` hint of `quarkus.sse-channels.retry-after` and its stream ends, and `Channel.open` on the channel
         * answers `503 Service Unavailable` with a `Retry-After` header. By default, no limit.
         */
        OptionalInt maxConnections();
    }
}
