package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.sse.SseEventSink;

import io.netty.channel.EventLoop;
import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelOptions;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * Owns what is shared by every connection and channel of the application: configuration, the journal, timers, the
 * per-event-loop outboxes and the registries of open connections, named channels and temporary channel stores.
 */
@Singleton
public class SseChannelsImpl implements SseChannels {

    static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";
    static final String LAST_EVENT_ID_PARAM = "lastEventId";

    private final SseChannelsRuntimeConfig config;
    private final Vertx vertx;
    private final SseEncoder encoder;
    private final Journal journal = new Journal();
    private final Timers timers = new Timers();
    private final AtomicLong connectionIds = new AtomicLong();
    private final Set<ConnectionImpl> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<EventLoop, Outbox> outboxes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ChannelImpl> named = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TemporaryChannelsImpl<?>> temporary = new ConcurrentHashMap<>();

    @Inject
    public SseChannelsImpl(SseChannelsRuntimeConfig config, Vertx vertx, Instance<DataSerializer> serializer) {
        this.config = config;
        this.vertx = vertx;
        this.encoder = new SseEncoder(serializer.isResolvable() ? serializer.get() : null);
    }

    @Override
    public Connection open(SseEventSink sink) {
        return open(sink, ConnectionOptions.defaults());
    }

    @Override
    public Connection open(SseEventSink sink, ConnectionOptions options) {
        Objects.requireNonNull(options, "options");
        StreamBinding stream = StreamBinding.of(sink);
        stream.writeHead();
        Outbox outbox = outboxes.computeIfAbsent(stream.eventLoop(), Outbox::new);
        ConnectionImpl connection = new ConnectionImpl(Long.toString(connectionIds.incrementAndGet()), this, stream,
                outbox, lastEventId(stream.request()));
        open.add(connection);
        connection.start(timers,
                options.pingInterval() != null ? options.pingInterval() : config.pingInterval(),
                options.timeout() != null ? options.timeout() : config.timeout());
        return connection;
    }

    private static String lastEventId(HttpServerRequest request) {
        String id = request.getHeader(LAST_EVENT_ID_HEADER);
        return id != null ? id : request.getParam(LAST_EVENT_ID_PARAM);
    }

    @Override
    public Channel channel(String name) {
        requireName(name);
        return named.computeIfAbsent(name, n -> {
            SseChannelsRuntimeConfig.ChannelConfig channelConfig = config.channels().get(n);
            int historySize = config.historySize();
            Duration emptyTimeout = Duration.ZERO;
            if (channelConfig != null) {
                historySize = channelConfig.historySize().orElse(historySize);
                emptyTimeout = channelConfig.emptyTimeout().orElse(emptyTimeout);
            }
            ChannelImpl channel = new ChannelImpl(n, this, historySize, emptyTimeout);
            // A named channel that closed (its own empty timeout, or close()) is replaced on next use.
            channel.onClose(c -> named.remove(n, c));
            return channel;
        });
    }

    @Override
    public Channel newChannel(String name, ChannelOptions options) {
        requireName(name);
        return new ChannelImpl(name, this, options.historySize(), options.emptyTimeout());
    }

    @SuppressWarnings("unchecked")
    <K> TemporaryChannels<K> temporaryChannels(String keyType) {
        return (TemporaryChannels<K>) temporary.computeIfAbsent(keyType,
                k -> new TemporaryChannelsImpl<>(this, config.historySize(), config.emptyTimeout()));
    }

    @Override
    public int openConnections() {
        return open.size();
    }

    /** @return timers scheduled and not yet fired or cancelled, for leak checks */
    public int pendingTimers() {
        return timers.pending();
    }

    /** @return event ids the journal indexes, for leak checks */
    public int indexedEventIds() {
        return journal.retainedIds();
    }

    @PreDestroy
    void shutdown() {
        open.forEach(ConnectionImpl::close);
        temporary.values().forEach(TemporaryChannelsImpl::closeAll);
        named.values().forEach(ChannelImpl::close);
    }

    void closed(ConnectionImpl connection) {
        open.remove(connection);
    }

    SseEncoder encoder() {
        return encoder;
    }

    Journal journal() {
        return journal;
    }

    Timers timers() {
        return timers;
    }

    EventLoop anyEventLoop() {
        return vertx.nettyEventLoopGroup().next();
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("An SSE channel name must not be blank, got [" + name + "]");
        }
    }
}
