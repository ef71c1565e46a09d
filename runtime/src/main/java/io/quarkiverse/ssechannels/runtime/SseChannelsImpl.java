package io.quarkiverse.ssechannels.runtime;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import io.netty.channel.EventLoop;
import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelOptions;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Owns what is shared by every connection and channel of the application: configuration, the clock that stamps
 * events across channels, timers, the per-event-loop outboxes and the registries of open connections, named channels
 * and temporary channel stores.
 */
@Singleton
public class SseChannelsImpl implements SseChannels {

    private static final Logger LOG = Logger.getLogger(SseChannelsImpl.class);
    static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";
    static final String LAST_EVENT_ID_PARAM = "lastEventId";
    private static final String LAST_EVENT_ID_PARAM_LOWER_CASE = LAST_EVENT_ID_PARAM.toLowerCase(Locale.ROOT);
    /** Longer Last-Event-IDs are ignored: no id the application sends is that long, and it bounds the lookup. */
    static final int MAX_LAST_EVENT_ID_LENGTH = 1024;
    /** How long the application stop waits for every stream's last frames to be handed to the network. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private final SseChannelsRuntimeConfig config;
    private final int maxConnections;
    private final long maxQueuedBytes;
    private final long writeDelayNanos;
    private final Vertx vertx;
    private final SseEncoder encoder;
    /**
     * The origin of stamps: one nanosecond before this bean existed, so that every stamp is positive (0 means "none"
     * where stamps are kept, and the JVM's monotonic clock may be negative).
     */
    private final long stampOrigin = System.nanoTime() - 1;
    /** The newest stamp a thread handed out, so that a thread's own sends are stamped in the order it made them. */
    private final ThreadLocal<long[]> lastStampOfThread = ThreadLocal.withInitial(() -> new long[1]);
    private final AtomicLong channelOrder = new AtomicLong();
    private final Timers timers = new Timers();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger openCount = new AtomicInteger();
    private final Set<ConnectionImpl> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<EventLoop, Outbox> outboxes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ChannelImpl> named = new ConcurrentHashMap<>();
    private final Duration closeTimeout;
    private final Duration retryAfter;
    private final ConcurrentHashMap<String, TemporaryChannelsImpl<?>> stores = new ConcurrentHashMap<>();
    /** Set when the application starts to stop; read by every open. */
    private volatile boolean stopping;
    /** The log shared with other instances, {@code null} with the memory backend. */
    private final Broker broker;
    /** Where what happens is counted, {@code null} without Micrometer or with metrics turned off. */
    private final Metrics metrics;
    /**
     * The counters of every temporary and application-made channel, and of named channels neither configured nor
     * injected; {@code null} without metrics.
     */
    private final ChannelCounters unnamedCounters;
    /** See {@link #tagged()}; computed once, when the first named channel is created. */
    private volatile Set<String> tagged;
    /** Where work that waits on a channel's lock runs, never on an event loop: see {@link #offload}. */
    private final ThreadPoolExecutor offloaded = pool("sse-channels-", 1);
    /** Where work that waits for Redis runs, apart: see {@link #offloadToBroker}; {@code null} without one. */
    private final ThreadPoolExecutor brokerWork;

    @Inject
    public SseChannelsImpl(SseChannelsRuntimeConfig config, Vertx vertx, Instance<DataSerializer> serializer,
            Instance<Broker> brokers, Instance<Metrics> metrics) {
        this.config = config;
        this.metrics = config.metrics().enabled() && metrics.isResolvable() ? metrics.get() : null;
        this.unnamedCounters = this.metrics == null ? null : this.metrics.unnamed();
        if (this.metrics != null) {
            this.metrics.watchOpen(this::openConnections);
        }
        this.broker = config.backend() == SseChannelsRuntimeConfig.Backend.REDIS ? brokers.get() : null;
        this.brokerWork = broker == null ? null : pool("sse-channels-redis-", 2);
        this.maxConnections = config.maxConnections().orElse(Integer.MAX_VALUE);
        this.maxQueuedBytes = config.maxQueuedBytes().asLongValue();
        this.vertx = vertx;
        this.closeTimeout = config.closeTimeout();
        this.writeDelayNanos = config.writeDelay().toNanos();
        this.retryAfter = Duration.ofSeconds(config.retryAfter());
        this.encoder = new SseEncoder(serializer.isResolvable() ? serializer.get() : null,
                config.maxDataSize().asLongValue());
    }

    @Override
    public Connection open(SseEventSink sink) {
        return open(sink, ConnectionOptions.defaults());
    }

    @Override
    public Connection open(SseEventSink sink, ConnectionOptions options) {
        Objects.requireNonNull(options, "options");
        return open(SinkBinding.of(sink), options);
    }

    @Override
    public Connection open(RoutingContext routing) {
        return open(routing, ConnectionOptions.defaults());
    }

    @Override
    public Connection open(RoutingContext routing, ConnectionOptions options) {
        Objects.requireNonNull(options, "options");
        return route(routing, stream -> open(stream, options));
    }

    @Override
    public Multi<OutboundSseEvent> multi(Consumer<Connection> onOpen) {
        return multi(ConnectionOptions.defaults(), onOpen);
    }

    @Override
    public Multi<OutboundSseEvent> multi(ConnectionOptions options, Consumer<Connection> onOpen) {
        Objects.requireNonNull(options, "options");
        return ReturnedStream.of(stream -> open(stream, options), onOpen);
    }

    /**
     * Opens the stream of a route: a refusal, which RESTEasy Reactive would answer from its exception, is answered
     * here, and the application gets a connection that is closed already.
     */
    Connection route(RoutingContext routing, Function<StreamBinding, Connection> opener) {
        RouteBinding stream = RouteBinding.of(routing);
        try {
            return opener.apply(stream);
        } catch (ServiceUnavailableException e) {
            Response refusal = e.getResponse();
            LOG.debugf("Refused an SSE stream: %s", refusal.getEntity());
            routing.response().setStatusCode(refusal.getStatus())
                    .putHeader(HttpHeaders.RETRY_AFTER, refusal.getHeaderString(HttpHeaders.RETRY_AFTER))
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain;charset=UTF-8")
                    .end(String.valueOf(refusal.getEntity()));
            return new RefusedConnection(routing);
        }
    }

    Connection open(StreamBinding stream, ConnectionOptions options) {
        // read first: nothing the client sent can fail the request once a place is taken or the head is out
        LastEventId sent = LastEventId.of(stream.request());
        if (openCount.incrementAndGet() > maxConnections) {
            openCount.decrementAndGet();
            throw unavailable("Too many SSE connections: this application already has its " + maxConnections
                    + " SSE connections (quarkus.sse-channels.max-connections)");
        }
        // read before the head goes out: every event stamped later was published after the client saw the head. One
        // less than the clock, so that an event stamped later is stamped after it however coarse the clock. Channels
        // that follow a shared log compare with the broker's clock instead; this instance's own channels, with this.
        long opened = clock() - 1;
        long openedShared = broker != null ? broker.clock() : 0;
        try {
            stream.writeHead();
        } catch (RuntimeException e) {
            // the head is out already: open(sink) called twice, or after the sink was used
            openCount.decrementAndGet();
            throw e;
        }
        Outbox outbox = outboxes.computeIfAbsent(stream.eventLoop(), loop -> new Outbox(loop, writeDelayNanos));
        ConnectionImpl connection = new ConnectionImpl(Long.toString(connectionIds.incrementAndGet()), this, stream,
                outbox, sent.usable(), sent.ignored(), opened, openedShared, maxQueuedBytes);
        open.add(connection);
        if (metrics != null) {
            metrics.opened();
        }
        connection.start(
                options.pingInterval() != null ? options.pingInterval() : config.pingInterval(),
                options.timeout() != null ? options.timeout() : config.timeout());
        if (stopping) {
            // a client that comes back while the application stops: told when to retry, and joins nothing
            connection.shutdown(shutdownHint());
        }
        return connection;
    }

    /**
     * The client's last event id: the Last-Event-ID header, else the query parameter, whose name, as Vert.x reads
     * parameters, is not case sensitive (a query string that cannot be decoded never gets here: the router answers
     * it 400, before a resource method or a route).
     *
     * @param usable the id, {@code null} if none was sent or the one sent is ignored
     * @param ignored whether the client sent one that cannot be trusted: too long, or with control characters
     */
    private record LastEventId(String usable, boolean ignored) {

        static LastEventId of(HttpServerRequest request) {
            String id = request.getHeader(LAST_EVENT_ID_HEADER);
            String query = request.query();
            // the parameters are decoded (and kept with the request) only for a query that may hold the id: its
            // name in any case, or encoded
            if (id == null && query != null && (query.indexOf('%') >= 0
                    || query.toLowerCase(Locale.ROOT).contains(LAST_EVENT_ID_PARAM_LOWER_CASE))) {
                id = request.getParam(LAST_EVENT_ID_PARAM);
            }
            if (id != null && (id.length() > MAX_LAST_EVENT_ID_LENGTH || Text.hasControlCharacter(id))) {
                LOG.debugf("Ignoring a Last-Event-ID of %d chars that is too long or has control characters: [%s]",
                        id.length(), Text.escape(id));
                return new LastEventId(null, true);
            }
            return new LastEventId(id, false);
        }
    }

    /**
     * A 503 with Retry-After: thrown before anything was written, RESTEasy Reactive answers the request with it.
     */
    ServiceUnavailableException unavailable(String why) {
        if (metrics != null) {
            metrics.refused();
        }
        return new ServiceUnavailableException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, config.retryAfter())
                .entity(why + "; retry later")
                .build());
    }

    @Override
    public Channel channel(String name) {
        requireName(name);
        return named.computeIfAbsent(name, this::createNamed);
    }

    private ChannelImpl createNamed(String name) {
        SseChannelsRuntimeConfig.ChannelConfig channelConfig = config.channels().get(name);
        int historySize = config.historySize();
        Duration emptyTimeout = Duration.ZERO;
        int maxConnections = 0;
        if (channelConfig != null) {
            historySize = channelConfig.historySize().orElse(historySize);
            emptyTimeout = channelConfig.emptyTimeout().orElse(emptyTimeout);
            maxConnections = channelConfig.maxConnections().orElse(0);
        }
        return new ChannelImpl(name, this, historySize, emptyTimeout, false, maxConnections,
                broker == null ? null : new ChannelImpl.Sharing(broker, "c:" + name, null, null),
                metrics == null ? null : tagged().contains(name) ? metrics.named(name) : unnamedCounters);
    }

    /**
     * @return the names of the channels that have a tag of their own in metrics: configured, or injected with
     *         {@code @ChannelName}. Others (a name made at run time, {@code sse.channel("room-" + id)}) would make a
     *         tag value each, without bound.
     */
    private Set<String> tagged() {
        Set<String> names = tagged;
        if (names == null) {
            names = new HashSet<>(config.channels().keySet());
            for (InstanceHandle<Channel> handle : Arc.container().select(Channel.class, Any.Literal.INSTANCE)
                    .handles()) {
                for (Annotation qualifier : handle.getBean().getQualifiers()) {
                    if (qualifier instanceof ChannelName channelName) {
                        names.add(channelName.value());
                    }
                }
            }
            tagged = names;
        }
        return names;
    }

    @Override
    public Channel newChannel(String name, ChannelOptions options) {
        requireName(name);
        Objects.requireNonNull(options, "options");
        return new ChannelImpl(name, this, options.historySize(), options.emptyTimeout(), true, 0, null,
                unnamedCounters);
    }

    /**
     * @return the store of that name, created on first use with its {@code stores."<name>".*} configuration
     */
    @SuppressWarnings("unchecked")
    <K> TemporaryChannels<K> store(String name, Function<String, K> keys) {
        return (TemporaryChannels<K>) stores.computeIfAbsent(name, n -> {
            SseChannelsRuntimeConfig.StoreConfig store = config.stores().get(n);
            return new TemporaryChannelsImpl<>(this, n, keys,
                    store == null ? config.historySize() : store.historySize().orElse(config.historySize()),
                    store == null ? config.emptyTimeout() : store.emptyTimeout().orElse(config.emptyTimeout()),
                    store == null ? 0 : store.maxConnections().orElse(0));
        });
    }

    /** @return the named channels made so far, for the Dev UI */
    Collection<ChannelImpl> namedChannels() {
        return Collections.unmodifiableCollection(named.values());
    }

    /** @return the named channel made with that name, {@code null} if none was */
    ChannelImpl namedChannel(String name) {
        return named.get(name);
    }

    /** @return the stores made so far, by name, for the Dev UI */
    Map<String, TemporaryChannelsImpl<?>> stores() {
        return Collections.unmodifiableMap(stores);
    }

    /** @return the log shared with other instances, {@code null} with the memory backend */
    Broker broker() {
        return broker;
    }

    Duration presenceInterval() {
        return config.redis().presenceInterval();
    }

    @Override
    public int openConnections() {
        return open.size();
    }

    /** @return timers scheduled and not yet fired or cancelled, for leak checks */
    public int pendingTimers() {
        return timers.pending();
    }


    /**
     * Ends every stream cleanly, with a last {@code retry:} hint, while the HTTP server still runs (the extension's
     * shutdown listener calls it first thing when the application stops). It waits, briefly and boundedly, only for
     * the frames to be handed to the network, never for clients; streams whose client stopped reading are cut.
     */
    void shutdown() {
        stopping = true;
        Buffer hint = shutdownHint();
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        do {
            // again on every pass: a client may connect (a browser come back already) while others are slow to end
            open.forEach(c -> c.shutdown(hint));
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        } while (!open.isEmpty() && System.nanoTime() < deadline);
        open.forEach(c -> c.abort(CloseReason.SHUTDOWN, "the application stops"));
        stores.values().forEach(TemporaryChannelsImpl::closeAll);
        named.values().forEach(ChannelImpl::closeHere);
    }

    /** @return the {@code retry:} frame a stream ends with when the application stops, {@code null} for none */
    private Buffer shutdownHint() {
        long retry = config.shutdownRetry().toMillis();
        return retry > 0 ? SseEncoder.retry(retry) : null;
    }

    /** @return whether the application stops: streams opened now end at once, and join no channel */
    boolean stopping() {
        return stopping;
    }

    void closed(ConnectionImpl connection, CloseReason reason) {
        if (open.remove(connection)) {
            openCount.decrementAndGet();
            if (metrics != null) {
                metrics.closed(reason);
            }
        }
    }

    /** @return where what happens is counted, {@code null} without metrics */
    Metrics metrics() {
        return metrics;
    }

    /** @return the counters of temporary and application-made channels, {@code null} without metrics */
    ChannelCounters unnamedCounters() {
        return unnamedCounters;
    }

    /** A client that sent a last event id joined channels, with that outcome. */
    void resumed(Resume outcome) {
        if (metrics != null) {
            metrics.resumed(outcome);
        }
    }

    SseEncoder encoder() {
        return encoder;
    }

    /**
     * @return the stamp clock: nanoseconds of the JVM's monotonic clock since this bean was created. Reading it
     *         writes nothing shared, so sends to different channels on different cores do not contend for it (an
     *         application-wide counter did: see the benchmark page).
     */
    long clock() {
        return System.nanoTime() - stampOrigin;
    }

    /**
     * Stamps an event, with its channel's lock held: the clock, but later than the channel's previous stamp and than
     * the calling thread's previous one. So stamps increase with offsets within a channel, and a thread's sends are
     * stamped in the order it made them, whatever their channels. Sends on different threads are ordered only by the
     * clock: they may tie if it did not advance between them, which only affects the order of a merged replay.
     *
     * @param channelLast the channel's previous stamp, 0 if none
     */
    long nextStamp(long channelLast) {
        long[] threadLast = lastStampOfThread.get();
        long stamp = Math.max(clock(), Math.max(channelLast, threadLast[0]) + 1);
        threadLast[0] = stamp;
        return stamp;
    }

    long nextChannelOrder() {
        return channelOrder.incrementAndGet();
    }

    /**
     * Runs work that takes a channel's lock away from the event loops, which must never wait on one: leaving a
     * channel when a connection closes, and empty timeouts.
     */
    void offload(Runnable task) {
        offloaded.execute(task);
    }

    /**
     * Runs work that waits for Redis (a shared channel catching up, presence, the empty timeout of a shared
     * temporary channel) on threads of its own: while Redis does not answer, each such task holds a thread for the
     * broker's timeout, and leaving channels must not queue behind them.
     */
    void offloadToBroker(Runnable task) {
        brokerWork.execute(task);
    }

    /**
     * The extension's own threads, not a shared pool: the JVM's common pool has one thread on a 2-core machine, and
     * anything else that blocks in it would hold up every connection's leave. Idle threads end; once the application
     * stopped, what comes late (a connection the server closes last) is dropped, since no channel is left to leave.
     *
     * @param perCore threads per core, at least two in all
     */
    private static ThreadPoolExecutor pool(String prefix, int perCore) {
        int threads = Math.max(2, perCore * Runtime.getRuntime().availableProcessors());
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, prefix + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** The container stops: work already offloaded finishes, its threads end. */
    @PreDestroy
    void stopOffloading() {
        offloaded.shutdown();
        if (brokerWork != null) {
            brokerWork.shutdown();
        }
    }

    Duration closeTimeout() {
        return closeTimeout;
    }

    Duration retryAfter() {
        return retryAfter;
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
