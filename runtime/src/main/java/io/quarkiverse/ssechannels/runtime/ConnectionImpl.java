package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.quarkiverse.ssechannels.BackendUnavailableException;
import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * One stream. Producers on any thread append frames and events to a lock-free queue; the connection's event loop
 * writes them (several at once when they pile up), catches up on the channels it joined by reading their histories
 * while the socket takes data, and is the only thread that touches the response after it is opened.
 */
final class ConnectionImpl implements Connection, Outbox.Member {

    private static final Logger LOG = Logger.getLogger(ConnectionImpl.class);

    /** How many 1 ms rounds a connection waits for its request's set-up before giving up. */
    private static final int MAX_ATTACH_ROUNDS = 5_000;

    /** Frames are gathered into writes of about this size: few system calls, yet room to notice backpressure. */
    private static final int MAX_BATCH_BYTES = 16 * 1024;
    /**
     * Frames a batch holds without copying them: a composite buffer past its maximum copies all its components into
     * one, again every time it grows past it (Netty's default is 16: most of a replay's batches were copied a dozen
     * times over). Room for a full batch of frames of 16 bytes or more (an event's is far longer); Netty copies the
     * batch once, into the socket's buffer.
     */
    private static final int MAX_BATCH_FRAMES = 1024;

    /** Queued after the last frame of a server-side close. */
    private static final Object END = new Object();
    /** Queued when catching up ends: written as the client's position in every channel, dispatching no event. */
    private static final Object POSITION = new Object();

    private static final Subscription[] NO_SUBSCRIPTIONS = {};

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private static final AtomicIntegerFieldUpdater<ConnectionImpl> PENDING = AtomicIntegerFieldUpdater
            .newUpdater(ConnectionImpl.class, "pending");
    private static final AtomicLongFieldUpdater<ConnectionImpl> QUEUED_BYTES = AtomicLongFieldUpdater
            .newUpdater(ConnectionImpl.class, "queuedBytes");
    private static final AtomicIntegerFieldUpdater<ConnectionImpl> STATE = AtomicIntegerFieldUpdater
            .newUpdater(ConnectionImpl.class, "state");
    private static final AtomicIntegerFieldUpdater<ConnectionImpl> ABORTING = AtomicIntegerFieldUpdater
            .newUpdater(ConnectionImpl.class, "aborting");

    private final String id;
    private final SseChannelsImpl owner;
    private final StreamBinding stream;
    private final Outbox outbox;
    private final String lastEventId;
    private final boolean lastEventIdIgnored;
    private final long openedStamp;
    private final long openedSharedStamp;
    private final long maxQueuedBytes;
    /** Where writes and queues are counted, {@code null} without metrics. */
    private final Metrics metrics;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    // fields updated atomically through the updaters below: an atomic object each would cost every connection more
    /** Items queued and wake-ups asked for, not yet taken by the event loop. */
    private volatile int pending;
    private volatile long queuedBytes;
    private volatile int state = OPEN;
    private volatile int aborting;
    private final Handler<AsyncResult<Void>> onWritten = this::written;
    /** Whether every write carries {@link #onWritten}: over HTTP/2 (see {@link #writeBatch}). */
    private final boolean watchEveryWrite;
    private final Handler<Void> onDrained = v -> {
        stalled = false;
        flush();
    };

    // guarded by this
    /** Created with the first listener: most connections have none or one. */
    private List<Consumer<Connection>> listeners;
    private boolean listenersRan;

    /** Written under this; read by the event loop. */
    private volatile Subscription[] subscriptions = NO_SUBSCRIPTIONS;
    /** Once in several channels, every event carries the cursor of all of them, even after leaving some. */
    private volatile boolean cursorIds;
    private volatile Resume resume = Resume.NONE;
    /** Created on first use: most connections have none. */
    private volatile Map<String, Object> attributes;
    private volatile String closeReason;
    private volatile CloseReason closeKind;
    /** Subscriptions the application removed, by channel: joining that channel again continues from them. */
    // guarded by this
    private Map<ChannelImpl, Subscription> left;

    /** The socket refused data and the drain handler has not fired since. */
    private volatile boolean stalled;
    /**
     * The next ping or the end of the connection's lifetime, whichever comes first: one timer, not one each. Set and
     * cancelled on the event loop only.
     */
    private Timers.Timer clock;
    private volatile Timers.Timer closeTimeout;
    /** Set by start(), before the clock first runs. */
    private long pingNanos;
    /** When the lifetime ends, in {@link System#nanoTime()}; only meaningful if {@link #limitedLifetime}. */
    private long endOfLife;
    private boolean limitedLifetime;

    // event loop only
    private boolean clockSet;
    private boolean attached;
    private int attachRounds;
    private boolean flushing;
    private boolean released;
    private boolean writeFailed;
    /** The response head is not written yet: it goes with the first write, frames or none. */
    private boolean headPending;
    private ByteBuf batch;
    private int batchBytes;
    /** For metrics, reported when the stream ends: the most bytes its queue held when the event loop took to it. */
    private long peakQueued;
    /** Writes of frames, and their bytes, reported when the stream ends. */
    private long writes;
    private long bytesWritten;

    /**
     * @param lastEventId the client's last event id, {@code null} if it sent none or one that was ignored
     * @param lastEventIdIgnored whether it sent one that was ignored (too long, or with control characters)
     */
    ConnectionImpl(String id, SseChannelsImpl owner, StreamBinding stream, Outbox outbox, String lastEventId,
            boolean lastEventIdIgnored, long openedStamp, long openedSharedStamp, long maxQueuedBytes) {
        this.id = id;
        this.owner = owner;
        this.stream = stream;
        this.outbox = outbox;
        this.lastEventId = lastEventId;
        this.lastEventIdIgnored = lastEventIdIgnored;
        this.openedStamp = openedStamp;
        this.openedSharedStamp = openedSharedStamp;
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = owner.metrics();
        this.headPending = stream.headWithFirstFrames();
        this.watchEveryWrite = stream.request().version() == HttpVersion.HTTP_2;
    }

    /**
     * Hands the stream over to the event loop, which starts its clock (pings, lifetime) in its first task. Called once,
     * right after the response head was written (or, from a route or for a returned stream, prepared: it goes out
     * with the first write).
     */
    void start(Duration pingInterval, Duration maxLifetime) {
        // before attach() checks whether the response ended, so that an end on another thread is seen by one of them
        stream.whenEnded(() -> outbox.loop().execute(this::endedByApplication));
        // read by the event loop, which sets the clock (only it ever does) in the connection's first task
        pingNanos = Timers.nanos(pingInterval);
        limitedLifetime = !maxLifetime.isZero();
        endOfLife = System.nanoTime() + Timers.nanos(maxLifetime);
        outbox.loop().execute(this::attach);
        if (headPending) {
            // the first write, with what the application queues before the event loop gets to it
            wake();
        }
    }

    /** Schedules the next ping or the end of the lifetime, whichever comes first, if any; on the event loop. */
    private void setClock(long now) {
        long delay;
        if (limitedLifetime) {
            long left = Math.max(0, endOfLife - now);
            delay = pingNanos == 0 ? left : Math.min(pingNanos, left);
        } else if (pingNanos != 0) {
            delay = pingNanos;
        } else {
            return;
        }
        clock = owner.timers().once(outbox.loop(), delay, this::tick);
    }

    /** The clock fired, on the event loop: the lifetime ends (within a millisecond), or it is time for a ping. */
    private void tick() {
        if (state != OPEN) {
            return;
        }
        long now = System.nanoTime();
        if (limitedLifetime && endOfLife - now < 1_000_000) {
            close(CloseReason.TIMEOUT, "closed by the server: its lifetime (timeout) is over");
            return;
        }
        if (pingNanos != 0) {
            enqueue(SseEncoder.ping());
        }
        setClock(now);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean join(Channel... channels) {
        return join(null, channels);
    }

    @Override
    public boolean join(Function<Resume, SseMessage> first, Channel... channels) {
        if (channels == null || channels.length == 0) {
            throw new IllegalArgumentException("SSE connection [" + id + "] must join at least one channel");
        }
        ChannelImpl.Joined joined;
        try {
            joined = ChannelImpl.join(this, first != null, channels);
        } catch (BackendUnavailableException e) {
            // the head is out: the client is told when to come back, as for a full channel
            enqueue(SseEncoder.retry(owner.retryAfter().toMillis()));
            close(CloseReason.SERVER, "refused: a channel cannot follow its shared log now: " + e.getMessage());
            return false;
        }
        if (joined.full() != null) {
            refuse(joined.full());
        }
        if (first != null && joined.joined()) {
            try {
                SseMessage message = first.apply(joined.resume());
                if (message != null) {
                    send(message);
                }
            } finally {
                joined.held().forEach(s -> s.held = false);
                wake();
            }
        }
        return joined.joined();
    }

    /**
     * Takes the subscriptions of a join; called with the locks of their channels held.
     *
     * @param live whether they are live already; otherwise the event loop catches up on them
     * @param held whether they wait for the joining thread before the event loop catches up on them
     * @return false if the connection closed meanwhile: the channels then drop them
     */
    synchronized boolean subscribe(List<Subscription> added, Resume outcome, boolean live, boolean held) {
        if (listenersRan) {
            return false;
        }
        if (added.isEmpty()) {
            return true;
        }
        Subscription[] now = Arrays.copyOf(subscriptions, subscriptions.length + added.size());
        for (int i = 0; i < added.size(); i++) {
            now[subscriptions.length + i] = added.get(i);
        }
        subscriptions = now;
        cursorIds |= now.length > 1;
        if (outcome.compareTo(resume) > 0) {
            resume = outcome;
        }
        if (outcome != Resume.NONE && (lastEventId != null || lastEventIdIgnored)) {
            owner.resumed(outcome);
        }
        if (live) {
            enqueueAny(POSITION);
        } else if (!held) {
            wake();
        }
        return true;
    }

    /**
     * The channel let this connection go; called with its lock held.
     *
     * @param remember whether a later join of that channel continues from where this one was (a remove, not a
     *        close)
     */
    synchronized void forget(Subscription subscription, boolean remember) {
        subscriptions = Subscription.without(subscriptions, subscription);
        if (remember) {
            if (left == null) {
                left = new HashMap<>(4);
            }
            left.put(subscription.channel, subscription);
        }
    }

    /** @return the position in the channel when the application last removed this connection from it, or -1 */
    synchronized long positionWhenLeft(ChannelImpl channel) {
        Subscription before = left == null ? null : left.remove(channel);
        return before == null || !before.epoch.equals(channel.epoch) ? -1 : before.position;
    }

    /** @return whether a join now comes after the resource method that opened the stream */
    boolean joinsLate() {
        return !stream.handledHere();
    }

    boolean lastEventIdIgnored() {
        return lastEventIdIgnored;
    }

    private void leave(List<Subscription> gone) {
        owner.offload(() -> gone.forEach(s -> s.channel.leave(s)));
    }

    @Override
    public Resume resume() {
        return resume;
    }

    /**
     * @param shared whether the channel follows a shared log, whose events carry the broker's stamps, rather than this
     *        instance's
     * @return a stamp read before the response head was written, earlier than that of any event published after
     */
    long openedStamp(boolean shared) {
        return shared ? openedSharedStamp : openedStamp;
    }

    @Override
    public void send(SseMessage message) {
        if (state == OPEN) {
            enqueue(owner.encoder().encode(message));
        }
    }

    @Override
    public void close() {
        close(CloseReason.SERVER, "closed by the server");
    }

    /**
     * @param kind why, for metrics
     * @param reason what the one line logged when the stream ends says
     */
    private void close(CloseReason kind, String reason) {
        if (STATE.compareAndSet(this, OPEN, CLOSING)) {
            // read by the event loop once it takes END from the queue, which publishes them
            closeKind = kind;
            closeReason = reason;
            enqueueAny(END);
            Duration grace = owner.closeTimeout();
            if (!grace.isZero()) {
                closeTimeout = owner.timers().once(outbox.loop(), Timers.nanos(grace),
                        () -> abort(CloseReason.SLOW_CONSUMER,
                                "the client did not take its last frames within " + grace + " (close-timeout)"));
                if (state == CLOSED) {
                    cancel(closeTimeout);
                }
            }
        }
    }

    /**
     * The channel let go of this connection because its copy of the shared log starts over: the stream ends, and the
     * client resumes at once from its last id, which tells it of the gap.
     */
    void resumeElsewhere(ChannelImpl channel) {
        enqueue(SseEncoder.retry(0));
        close(CloseReason.SERVER, "ended: " + channel + " starts over from its shared log, so that the client resumes");
    }

    /** A full channel: the head is out, so the client is told when to come back, and the stream ends. */
    private void refuse(ChannelImpl channel) {
        enqueue(SseEncoder.retry(owner.retryAfter().toMillis()));
        close(CloseReason.LIMIT, "refused: " + channel + " is full");
    }

    @Override
    public boolean isOpen() {
        return state == OPEN;
    }

    @Override
    public Registration onClose(Consumer<Connection> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (!listenersRan) {
                if (listeners == null) {
                    listeners = new ArrayList<>(2);
                }
                listeners.add(listener);
                return () -> {
                    synchronized (ConnectionImpl.this) {
                        if (listeners != null) {
                            listeners.remove(listener);
                        }
                    }
                };
            }
        }
        runListener(listener);
        return () -> {
        };
    }

    @Override
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public HttpServerRequest request() {
        return stream.request();
    }

    @Override
    public Optional<SecurityIdentity> identity() {
        return Optional.ofNullable(stream.identity);
    }

    @Override
    public Map<String, Object> attributes() {
        Map<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {
                map = attributes;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    attributes = map;
                }
            }
        }
        return map;
    }

    /**
     * Queues an encoded frame. Frames queued by one thread are written in that order.
     */
    void enqueue(Buffer frame) {
        enqueue(frame, frame.length());
    }

    /** Queues a channel's live event; the channel queues its events in offset order, under its lock. */
    void enqueue(Event event) {
        enqueue(event, event.frame().length());
    }

    private void enqueue(Object item, int length) {
        if (state == OPEN) {
            if (QUEUED_BYTES.addAndGet(this, length) > maxQueuedBytes && stalled) {
                abortStalled();
            } else {
                enqueueAny(item);
            }
        }
    }

    /**
     * Only a connection whose socket refuses data is judged by its queue: a burst of sends can queue more than the
     * limit for a client that reads well, and the event loop catches up with it.
     */
    private void abortStalled() {
        abort(CloseReason.SLOW_CONSUMER,
                "the client stopped reading, with more than " + maxQueuedBytes + " bytes (max-queued-bytes) waiting");
    }

    /**
     * Ends the stream at once, dropping what is queued: for a client that does not read, and at shutdown for one
     * whose last frames cannot be written.
     */
    void abort(CloseReason kind, String why) {
        if (ABORTING.compareAndSet(this, 0, 1)) {
            outbox.loop().execute(() -> {
                if (state != CLOSED) {
                    // closed first: over HTTP/2 the reset can report the stream closed, by the client, at once
                    closed(kind, "aborted: " + why);
                    stream.reset();
                }
            });
        }
    }

    /**
     * Tells the client when to come back, then ends the stream; used when the application stops.
     */
    void shutdown(Buffer retryHint) {
        if (retryHint != null) {
            enqueue(retryHint);
        }
        close(CloseReason.SHUTDOWN, "closed by the server: the application stops");
    }

    private void enqueueAny(Object item) {
        queue.offer(item);
        wake();
    }

    /** Makes the event loop flush: for queued items, and for catching up, which queues nothing. */
    private void wake() {
        if (PENDING.getAndIncrement(this) == 0) {
            outbox.schedule(this);
        }
    }

    /**
     * Writes what is queued, several frames per write, then catches up on the channels still behind; runs on the
     * event loop, called by the outbox. While the socket takes no more (the client reads slowly), it stops, and the
     * drain handler resumes it; meanwhile live frames pile up against max-queued-bytes. Frames it did not take stay
     * counted as pending, so producers do not schedule it again; if it took them all and catching up filled the
     * socket, a producer may, and that flush stops at the full socket. Catching up reads histories, never the queue,
     * so a replay costs no queue space however long it is.
     */
    @Override
    public void flush() {
        // a write can fire the drain handler at once, on this thread: the running flush sees the socket writable
        if (flushing) {
            return;
        }
        flushing = true;
        try {
            if (metrics != null) {
                peakQueued = Math.max(peakQueued, queuedBytes);
            }
            drain(stream.response());
        } catch (RuntimeException e) {
            // a response the application ended on another thread, between the check and a write, is no failure
            if (!endedByApplication()) {
                failed(e);
            }
        } catch (Error e) {
            // a filter's recursion too deep, say (admits lets virtual machine errors through): nothing escapes, or
            // the outbox's run, a scheduled task whose failure nobody logs, would leave this connection stuck with
            // its frames pending
            failed(e);
        } finally {
            flushing = false;
        }
    }

    private void failed(Throwable e) {
        LOG.errorf(e, "Writing to SSE connection [%s] failed; cutting it", id);
        abort(CloseReason.SERVER, "writing failed");
    }

    private void drain(HttpServerResponse response) {
        if (state != CLOSED && (response.ended() || response.closed()) && !endedByApplication()) {
            // the client went away and the response ended before its close reached this connection
            closed(CloseReason.CLIENT, "closed by the client");
        }
        for (;;) {
            int missed = pending;
            int consumed = 0;
            while (consumed < missed) {
                if (batch == null && state != CLOSED && response.writeQueueFull()) {
                    break;
                }
                Object item = queue.poll();
                consumed++;
                if (item == END) {
                    writeBatch(response, false);
                    closed(closeKind, closeReason);
                } else if (item != null) {
                    take(item);
                    if (batchBytes >= MAX_BATCH_BYTES) {
                        writeBatch(response, false);
                    }
                }
            }
            boolean full = consumed < missed || (state == OPEN && !writeFailed && catchUp(response));
            // unwatched even after a replay: catchUp's own writes are watched, so at most this one meets a dead socket
            writeBatch(response, false);
            int left = PENDING.addAndGet(this, -consumed);
            if (full && state != CLOSED && response.writeQueueFull()) {
                stalled = true;
                response.drainHandler(onDrained);
                if (queuedBytes > maxQueuedBytes) {
                    abortStalled();
                }
                return;
            }
            if (left == 0 && !full) {
                return;
            }
        }
    }

    private void take(Object item) {
        if (item instanceof Event event) {
            QUEUED_BYTES.addAndGet(this, -event.frame().length());
            Subscription subscription = subscriptionOf(event.channel());
            // an event queued before the connection left that channel is not its business any more, and one at or
            // before its position it has (a resume on an instance whose copy was behind the client)
            if (subscription != null && state != CLOSED && event.offset() > subscription.position) {
                append(event, subscription);
            }
        } else if (item == POSITION) {
            if (subscriptions.length > 0 && state != CLOSED) {
                append(SseEncoder.position(cursor()));
            }
        } else {
            Buffer frame = (Buffer) item;
            QUEUED_BYTES.addAndGet(this, -frame.length());
            if (state != CLOSED) {
                append(frame);
            }
        }
    }

    private Subscription subscriptionOf(ChannelImpl channel) {
        for (Subscription subscription : subscriptions) {
            if (subscription.channel == channel && !subscription.removed) {
                return subscription;
            }
        }
        return null;
    }

    /** @return whether the event was written: not if its filter keeps it from this connection */
    private boolean append(Event event, Subscription subscription) {
        subscription.position = event.offset();
        if (event.filter() != null && !admits(event)) {
            return false;
        }
        ChannelCounters counters = subscription.channel.counters;
        if (counters != null) {
            counters.delivered.increment();
        }
        if (cursorIds) {
            append(event.body());
            append(SseEncoder.position(cursor()));
        } else {
            append(event.frame());
        }
        return true;
    }

    /**
     * Asks the event's filter, on this connection's event loop, live or replaying alike: a client that resumes gets
     * again only what the filter lets through to its new connection. A filter that throws keeps the event away (but a
     * virtual machine error, which nothing can recover from here).
     */
    private boolean admits(Event event) {
        try {
            return event.filter().test(this);
        } catch (Exception | LinkageError | AssertionError e) {
            // whatever an application's filter may throw (a checked exception thrown sneakily, a class it could not
            // load, an assertion) must not escape the event loop's drain, which would leave the connection stuck
            LOG.errorf(e, "The filter of an event of SSE channel [%s] failed for connection [%s]; the event is not "
                    + "sent to it", event.channel().name(), id);
            return false;
        }
    }

    /** @return this connection's position in every channel it is in */
    private String cursor() {
        StringBuilder sb = new StringBuilder(24 * subscriptions.length);
        for (Subscription subscription : subscriptions) {
            Cursor.appendPosition(sb, subscription.epoch, subscription.position);
        }
        return sb.toString();
    }

    /**
     * Hands the client the events it has not seen yet from the histories of the channels it is catching up on,
     * oldest stamp first, so that several channels merge in publish order; at the end of every history, it turns
     * live in all of them at once.
     *
     * @return whether it stopped because the socket is full
     */
    private boolean catchUp(HttpServerResponse response) {
        for (;;) {
            Subscription next = null;
            Event event = null;
            // A channel read before another may have published since: an event stamped earlier by the same thread
            // is visible by now, so look again until a look finds the same earliest event.
            for (Event seen = EventLog.EVICTED; event != seen;) {
                seen = event;
                next = null;
                event = null;
                for (Subscription subscription : subscriptions) {
                    if (subscription.live || subscription.removed || subscription.held) {
                        continue;
                    }
                    Event candidate = subscription.channel.log.get(subscription.position + 1);
                    if (candidate == EventLog.EVICTED) {
                        if (subscription.removed) {
                            continue;
                        }
                        if (!subscription.gap) {
                            close(CloseReason.SLOW_CONSUMER, "ended: it fell behind the history of "
                                    + subscription.channel + " while catching up, so that the client resumes and "
                                    + "is told of the gap");
                            return false;
                        }
                        // the client is told of a gap already: go on from what the history still holds
                        subscription.position = subscription.channel.log.oldestPosition();
                        candidate = subscription.channel.log.get(subscription.position + 1);
                    }
                    if (candidate != null && candidate != EventLog.EVICTED
                            && (event == null || candidate.stamp() < event.stamp())) {
                        next = subscription;
                        event = candidate;
                    }
                }
            }
            if (event == null) {
                if (!catchingUp()) {
                    return false;
                }
                switch (goLive()) {
                    case LIVE:
                        return false;
                    case BUSY:
                        // a channel is publishing: try again soon rather than wait on the event loop
                        outbox.loop().schedule(this::wake, 1, TimeUnit.MILLISECONDS);
                        return false;
                    default:
                        continue;
                }
            }
            if (append(event, next) && next.channel.counters != null) {
                next.channel.counters.replayed.increment();
            }
            if (batchBytes >= MAX_BATCH_BYTES) {
                writeBatch(response, true);
                if (state != OPEN || writeFailed) {
                    return false;
                }
                if (response.writeQueueFull()) {
                    return true;
                }
            }
        }
    }

    private boolean catchingUp() {
        for (Subscription subscription : subscriptions) {
            if (!subscription.live && !subscription.removed && !subscription.held) {
                return true;
            }
        }
        return false;
    }

    private enum GoLive {
        LIVE,
        BUSY,
        BEHIND
    }

    /**
     * Turns every subscription still catching up live, with every lock of their channels held, after checking that
     * none was published to meanwhile; the position queued under the locks comes before any live event.
     */
    private GoLive goLive() {
        List<Subscription> behind = new ArrayList<>(subscriptions.length);
        for (Subscription subscription : subscriptions) {
            if (!subscription.live && !subscription.removed && !subscription.held) {
                behind.add(subscription);
            }
        }
        behind.sort(Comparator.comparingLong(s -> s.channel.order));
        int locked = 0;
        try {
            for (Subscription subscription : behind) {
                if (!subscription.channel.lock.tryLock()) {
                    return GoLive.BUSY;
                }
                locked++;
            }
            for (Subscription subscription : behind) {
                if (!subscription.removed && subscription.channel.log.last() != subscription.position) {
                    return GoLive.BEHIND;
                }
            }
            behind.forEach(s -> s.channel.goLive(s));
            enqueueAny(POSITION);
            return GoLive.LIVE;
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                behind.get(i).channel.lock.unlock();
            }
        }
    }

    private void append(Buffer frame) {
        ByteBuf buf = frame.getByteBuf();
        batchBytes += buf.readableBytes();
        if (batch == null) {
            batch = buf;
            return;
        }
        CompositeByteBuf composite;
        if (batch instanceof CompositeByteBuf c) {
            composite = c;
        } else {
            composite = Unpooled.compositeBuffer(MAX_BATCH_FRAMES);
            composite.addComponent(true, batch);
            batch = composite;
        }
        composite.addComponent(true, buf);
    }

    /**
     * Writes the batch: a heap buffer of this connection's over shared frames, of which Netty gets a slice it cannot
     * release, so the batch is left to the garbage collector whether it is written or not.
     * <p>
     * Live writes over HTTP/1 carry no completion handler: a listener per write cost a tenth of the server's CPU per
     * delivery in a profile, and such a write fails only on a connection that is closing, of which the response's
     * close handler tells. Two kinds of writes still carry one. Catching up, so that a replay stops at the first
     * failed write rather than go through whole histories before the close arrives (the socket of a connection that
     * failed a write still looks writable). And every write over HTTP/2, where a write without a handler that fails
     * (frames of a stream that was reset, still waiting for the client's flow control) closes the client's whole
     * connection, every stream on it.
     *
     * @param watched whether the write carries the completion handler even over HTTP/1
     */
    private void writeBatch(HttpServerResponse response, boolean watched) {
        ByteBuf written = batch;
        batch = null;
        batchBytes = 0;
        if (state != CLOSED && !writeFailed) {
            Handler<AsyncResult<Void>> handler = watched || watchEveryWrite ? onWritten : null;
            if (written != null) {
                writes++;
                bytesWritten += written.readableBytes();
                response.write(Buffer.buffer(written), handler);
            } else if (headPending) {
                response.write(Buffer.buffer(), handler);
            }
            headPending = false;
        }
    }

    /**
     * Runs inside Netty's write, possibly while its HTTP encoder is still handing out the pieces of that write: the
     * end of the response must not be written from here (the encoder is not re-entrant: it would write those pieces
     * twice), so a failure closes the connection in a task of its own.
     */
    private void written(AsyncResult<Void> result) {
        if (result.failed() && !writeFailed) {
            writeFailed = true;
            Throwable cause = result.cause();
            outbox.loop().execute(() -> closed(CloseReason.CLIENT, "went away (" + describe(cause) + ")"));
        }
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }

    /**
     * Waits (without blocking the loop) until RESTEasy Reactive has finished the resource method's request set-up,
     * by suspending the request at the end of its handler chain: ending the stream before would race the thread that
     * runs that chain. The set-up completes even if the client left meanwhile ({@link SseRequestChain}); a request
     * that RESTEasy Reactive answers itself (the resource method failed after opening the stream: it ends the
     * response) never completes it, so that is checked on every round. A set-up slower than the bound is told at
     * WARN and its client is cut; the request is still released once its set-up completes. Once set up, a stream
     * that is over already (its client left, or it was cut or ended meanwhile) is released at once.
     */
    private void attach() {
        if (!clockSet && state != CLOSED) {
            // the first round: the clock counts from start(), and closed() cancels it on this same thread
            clockSet = true;
            setClock(System.nanoTime());
        }
        HttpServerResponse response = stream.response();
        if (response.ended()) {
            // nothing to release: RESTEasy Reactive answers the request, and finishes it itself
            closed(CloseReason.SERVER, "closed during set-up");
            return;
        }
        if (!stream.setUpComplete()) {
            if (response.closed() && !stream.chainKept()) {
                // RESTEasy Reactive's own close handler ends the request of a client that left
                closed(CloseReason.CLIENT, "closed by the client during set-up");
                return;
            }
            if (++attachRounds == MAX_ATTACH_ROUNDS) {
                LOG.warnf("The request of SSE connection [%s] did not complete its set-up in %d ms; closing it", id,
                        MAX_ATTACH_ROUNDS);
                stream.reset();
                closed(CloseReason.SERVER, "set-up did not complete");
            }
            outbox.loop().schedule(this::attach, attachRounds < MAX_ATTACH_ROUNDS ? 1 : 1_000, TimeUnit.MILLISECONDS);
            return;
        }
        attached = true;
        if (state == CLOSED) {
            release();
        } else if (response.closed()) {
            closed(CloseReason.CLIENT, "closed by the client during set-up");
        } else {
            try {
                response.closeHandler(v -> closed(CloseReason.CLIENT, "closed by the client"));
            } catch (IllegalStateException e) {
                // ended by the application on another thread since the check above
                if (!endedByApplication()) {
                    throw e;
                }
            }
        }
    }

    /**
     * Closes the connection if the application ended its response (a route's response may be ended on any thread);
     * on the event loop.
     *
     * @return whether the response was ended
     */
    private boolean endedByApplication() {
        if (!stream.response().ended()) {
            return false;
        }
        closed(CloseReason.SERVER, "ended by the application");
        return true;
    }

    /** The stream is over, from either side; runs once on the event loop whatever the cause. */
    private void closed(CloseReason kind, String why) {
        if (STATE.getAndSet(this, CLOSED) == CLOSED) {
            return;
        }
        LOG.debugf("SSE connection [%s] %s", id, why);
        if (metrics != null) {
            metrics.ended(peakQueued, writes, bytesWritten);
        }
        cancel(clock);
        cancel(closeTimeout);
        queue.clear();
        if (attached) {
            // queued on the loop before the application's shutdown can see this connection gone and stop the server
            release();
        }
        owner.closed(this, kind);
        List<Consumer<Connection>> toRun;
        Subscription[] left;
        synchronized (this) {
            listenersRan = true;
            toRun = listeners == null ? List.of() : listeners;
            listeners = null;
            left = subscriptions;
            subscriptions = NO_SUBSCRIPTIONS;
        }
        if (left.length > 0) {
            leave(List.of(left));
        }
        for (Consumer<Connection> listener : toRun) {
            runListener(listener);
        }
    }

    /**
     * Ends the response and releases its request, in a task of its own, so that no path (a callback of a write, of
     * the transport's close, of a timer) ever writes from inside a write of Netty's (see {@link #written}).
     */
    private void release() {
        if (!released) {
            released = true;
            outbox.loop().execute(stream::end);
        }
    }

    private void runListener(Consumer<Connection> listener) {
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            LOG.warnf(e, "A close listener of SSE connection [%s] failed", id);
        }
    }

    private static void cancel(Timers.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    @Override
    public String toString() {
        return "SSE connection [" + id + "]";
    }
}
