package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import io.quarkiverse.ssechannels.BackendUnavailableException;
import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseMessage;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * A channel of this application instance. Its own lock orders what happens to it: an event gets its offset, enters
 * the history and is queued on every live connection in one step (a lock-free offer each), so live connections see
 * the channel's events in offset order, and a connection turns live (with this lock held) exactly where its catching
 * up ended. Joins, leaves and closes hold it for map operations and one slot of the live array each; event loops
 * only ever try it without waiting.
 */
final class ChannelImpl implements Channel {

    private static final Logger LOG = Logger.getLogger(ChannelImpl.class);
    private static final Subscription[] NO_SUBSCRIPTIONS = {};

    /** Multi-channel joins lock channels in this order, so that two joins never wait on each other. */
    final long order;
    /**
     * The epoch of the positions this channel hands out: drawn here in one instance; with a shared log, the log's,
     * {@code null} until this instance first read it. Changed only with the lock held, together with {@link #log}.
     */
    volatile String epoch;
    final ChannelLock lock = new ChannelLock();
    /** The stamp of the newest event this instance sent to the channel, 0 if none; guarded by {@link #lock}. */
    private long lastStamp;
    volatile EventLog log;
    /** The shared log this channel follows (backend {@code redis}), {@code null} in one instance. */
    final Mirror mirror;
    /** With the lock held: the shared log's last offset when this instance last read it, -1 before. */
    private long sharedLast = -1;
    private final String name;
    private final SseChannelsImpl owner;
    private final Duration emptyTimeout;
    /** Named channels live as long as the application: staying empty only drops their history. */
    private final boolean closesWhenEmpty;
    private final int maxConnections;

    // guarded by lock
    /**
     * The live subscriptions, in {@code live[0]} to {@code live[liveCount - 1]}, each knowing its slot: a join adds
     * at the end and a leave moves the last one into its slot, so that neither copies the array (a copy per join and
     * per leave made filling a channel quadratic: 10,000 streams joining copied 200 MB). Only ever read and written
     * with the lock held, and never while a send iterates it: queueing an event on a connection never leaves.
     */
    private Subscription[] live = NO_SUBSCRIPTIONS;
    private int liveCount;
    private final Map<ConnectionImpl, Subscription> joined = new HashMap<>();
    /** {@code joined.size()}, readable without the lock. */
    private volatile int members;
    /** Where its events and connections are counted for metrics, {@code null} without metrics. */
    final ChannelCounters counters;
    /** Opened through this channel and not joined yet: each holds a place. */
    private final Set<ConnectionImpl> reserved = new HashSet<>();
    private int reserving;
    private final List<Consumer<Channel>> listeners = new ArrayList<>(1);
    private Timers.Timer emptyTimer;
    private long emptyTimerGeneration;
    private boolean occupied;
    private volatile boolean closed;
    private volatile boolean closedEverywhere;

    /**
     * How a channel is shared with other instances.
     *
     * @param key its name in the broker
     * @param keep how long its keys outlive its last publish, {@code null} for ever
     * @param place for a temporary channel, its place in its store
     */
    record Sharing(Broker broker, String key, Duration keep, Mirror.Place place) {
    }

    /**
     * @param maxConnections 0 for no limit
     * @param counters where its events and connections are counted, {@code null} for nowhere
     */
    ChannelImpl(String name, SseChannelsImpl owner, int historySize, Duration emptyTimeout, boolean closesWhenEmpty,
            int maxConnections, Sharing sharing, ChannelCounters counters) {
        this.name = name;
        this.counters = counters;
        this.owner = owner;
        this.order = owner.nextChannelOrder();
        this.log = new EventLog(historySize, 0);
        this.mirror = sharing == null ? null
                : new Mirror(this, sharing.broker(), owner, sharing.key(), sharing.keep(), sharing.place());
        this.epoch = sharing == null ? Cursor.newEpoch() : null;
        this.emptyTimeout = emptyTimeout;
        this.closesWhenEmpty = closesWhenEmpty;
        this.maxConnections = maxConnections;
        lock.lock();
        try {
            reconcileEmptyTimer();
        } finally {
            lock.unlock();
        }
    }

    /** @return a channel closed from the start, in no registry, with no timer: for a connection closed already */
    static ChannelImpl closed(String name, SseChannelsImpl owner) {
        ChannelImpl channel = new ChannelImpl(name, owner, 0, Duration.ZERO, false, 0, null, null);
        channel.lock.lock();
        try {
            // nobody else has it: nothing to let go of, no listener, nothing worth a log line
            channel.closeLocked();
        } finally {
            channel.lock.unlock();
        }
        return channel;
    }

    /**
     * The open channel of a key in a registry, created when absent or closed. A closed channel removes itself
     * through a close listener its factory registers; this also skips one that closed between lookup and use.
     */
    static <K> ChannelImpl live(ConcurrentMap<K, ChannelImpl> channels, K key, Function<K, ChannelImpl> factory) {
        for (;;) {
            ChannelImpl channel = channels.computeIfAbsent(key, factory);
            if (!channel.isClosed()) {
                return channel;
            }
            channels.remove(key, channel);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Connection open(SseEventSink sink) {
        return open(SinkBinding.of(sink));
    }

    @Override
    public Connection open(RoutingContext routing) {
        return owner.route(routing, this::open);
    }

    @Override
    public Multi<OutboundSseEvent> multi(Consumer<Connection> onOpen) {
        return ReturnedStream.of(this::open, onOpen);
    }

    private Connection open(StreamBinding stream) {
        if (mirror != null) {
            Mirror.requireWorker("opening a stream of " + this);
        }
        if (owner.stopping()) {
            // the channel may be closed already: the stream ends at once with its retry hint, and joins nothing
            return owner.open(stream, ConnectionOptions.defaults());
        }
        lock.lock();
        try {
            ensureOpen();
            ensureRoom();
            reserving++;
            reconcileEmptyTimer();
        } finally {
            lock.unlock();
        }
        ConnectionImpl connection = null;
        boolean attached = false;
        try {
            if (mirror != null) {
                attach(mirror);
                attached = true;
            }
            connection = (ConnectionImpl) owner.open(stream, ConnectionOptions.defaults());
        } finally {
            lock.lock();
            try {
                reserving--;
                if (attached) {
                    mirror.unpin();
                }
                if (connection != null && !closed) {
                    reserved.add(connection);
                }
                reconcileEmptyTimer();
            } finally {
                lock.unlock();
            }
        }
        // frees the place of a connection that closes before it joins (the listener runs on its event loop)
        ConnectionImpl opened = connection;
        connection.onClose(c -> owner.offload(() -> unreserve(opened)));
        return connection;
    }

    /** Before the head is out, a shared log that cannot be followed is a 503. */
    private void attach(Mirror mirror) {
        try {
            mirror.attach();
        } catch (BackendUnavailableException e) {
            throw owner.unavailable("SSE channel [" + name + "] cannot follow its shared log now: " + e.getMessage());
        }
    }

    private void unreserve(ConnectionImpl connection) {
        lock.lock();
        try {
            if (reserved.remove(connection)) {
                reconcileEmptyTimer();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean add(Connection connection) {
        return Objects.requireNonNull(connection, "connection").join(this);
    }

    /**
     * What {@link #join} did.
     *
     * @param joined whether the connection is in every channel now
     * @param full the first full channel, when that is why it is not
     * @param resume how exactly this join resumed the client
     * @param held the new subscriptions, held back from catching up, when the join was asked to hold them
     */
    record Joined(boolean joined, ChannelImpl full, Resume resume, List<Subscription> held) {
    }

    /**
     * Joins a connection to channels, all or none, with every channel's lock held: each resolves where the
     * connection starts in its log. The connection catches up from there by itself, unless it is at the end of
     * every log already: then it is live at once.
     *
     * @param hold whether the new subscriptions wait for {@link ConnectionImpl#release} before catching up (and
     *        turning live), so that the caller can queue a message before anything of theirs
     *
     * @return the new subscriptions; {@code null} ones if the connection is closed; the first full channel if one
     *         is
     * @throws ChannelClosedException if a channel is closed
     */
    static Joined join(ConnectionImpl connection, boolean hold, Channel... requested) {
        // one channel, the usual join, without a stream
        ChannelImpl[] channels = requested.length == 1 ? new ChannelImpl[] { of(requested[0], connection) }
                : Arrays.stream(requested).map(c -> of(c, connection)).distinct()
                        .sorted(Comparator.comparingLong(c -> c.order)).toArray(ChannelImpl[]::new);
        for (ChannelImpl channel : channels) {
            if (channel.mirror != null) {
                // whether this join would wait depends on what else is connected: refused every time, not sometimes
                Mirror.requireWorker("joining " + channel);
            }
        }
        if (!connection.isOpen()) {
            // ended already (by its client, or because the application stops, when channels may be closed)
            return new Joined(false, null, Resume.NONE, List.of());
        }
        int locked = 0;
        int attached = 0;
        try {
            // shared logs first, without locks: a first join of this instance waits for its copy to be current
            while (attached < channels.length) {
                Mirror mirror = channels[attached].mirror;
                boolean read = mirror != null && mirror.attach();
                attached++;
                if (mirror != null && !read && connection.lastEventId() != null && !connection.joinsLate()) {
                    // a client resuming may have seen events this copy has not applied yet
                    mirror.refresh();
                }
            }
            for (ChannelImpl channel : channels) {
                channel.lock.lock();
                locked++;
            }
            if (!connection.isOpen()) {
                return new Joined(false, null, Resume.NONE, List.of());
            }
            for (ChannelImpl channel : channels) {
                channel.ensureOpen();
            }
            for (ChannelImpl channel : channels) {
                if (!channel.joined.containsKey(connection) && !channel.reserved.contains(connection)
                        && channel.isFull()) {
                    return new Joined(false, channel, Resume.NONE, List.of());
                }
            }
            List<Subscription> added = new ArrayList<>(channels.length);
            Resume resume = Resume.NONE;
            boolean atEnd = true;
            for (ChannelImpl channel : channels) {
                if (!channel.joined.containsKey(connection)) {
                    Subscription subscription = channel.subscribe(connection);
                    subscription.held = hold;
                    added.add(subscription);
                    Resume outcome = channel.startOf(connection, subscription);
                    resume = outcome.compareTo(resume) > 0 ? outcome : resume;
                    if (channel.log.capacity() == 0) {
                        // nothing to catch up on, ever: live at once, or every send would overtake it
                        channel.goLive(subscription);
                    } else {
                        atEnd &= !hold && subscription.position == channel.log.last();
                    }
                }
            }
            // nothing to catch up on: live at once, so that no event can slip between joining and going live
            if (atEnd) {
                added.forEach(s -> s.channel.goLive(s));
            }
            // still under the locks: a live event queued after this finds the connection knowing its subscription
            if (!connection.subscribe(added, resume, atEnd, hold)) {
                added.forEach(s -> s.channel.drop(s));
                return new Joined(false, null, Resume.NONE, List.of());
            }
            return new Joined(true, null, resume, hold ? added : List.of());
        } catch (ChannelClosedException e) {
            // the application stopped while this join waited for Redis: its connection was ended already
            if (!connection.isOpen()) {
                return new Joined(false, null, Resume.NONE, List.of());
            }
            throw e;
        } finally {
            for (int i = 0; i < attached; i++) {
                channels[i].unpin(locked > i);
            }
            for (int i = locked - 1; i >= 0; i--) {
                channels[i].lock.unlock();
            }
        }
    }

    /** Lets go of the copy of the shared log that a join kept current, taking the lock unless held. */
    private void unpin(boolean locked) {
        if (mirror == null) {
            return;
        }
        if (!locked) {
            lock.lock();
        }
        try {
            mirror.unpin();
            reconcileEmptyTimer();
        } finally {
            if (!locked) {
                lock.unlock();
            }
        }
    }

    private static ChannelImpl of(Channel channel, Connection connection) {
        if (channel instanceof ChannelImpl impl) {
            return impl;
        }
        throw new IllegalArgumentException("SSE connection [" + connection.id() + "] can only join channels of this "
                + "extension, got [" + channel + "]");
    }

    private Subscription subscribe(ConnectionImpl connection) {
        Subscription subscription = new Subscription(connection, this);
        joined.put(connection, subscription);
        members(joined.size());
        reserved.remove(connection);
        reconcileEmptyTimer();
        return subscription;
    }

    /**
     * Sets where the subscription starts: where the connection left this channel, if it was in it before; at the end
     * of the log for a join outside the resource method (a channel joined later in the stream's life); otherwise
     * after the client's last event id when this channel finds it in its history, after what was published before
     * the stream opened when the client sent none, else (a gap) before everything the history still holds.
     */
    private Resume startOf(ConnectionImpl connection, Subscription subscription) {
        long left = connection.positionWhenLeft(this);
        if (left >= 0) {
            return start(subscription, left, Resume.NONE, connection);
        }
        if (connection.joinsLate()) {
            subscription.position = log.last();
            return Resume.NONE;
        }
        if (connection.lastEventIdIgnored()) {
            return start(subscription, -1, Resume.EXACT, connection);
        }
        String lastEventId = connection.lastEventId();
        if (lastEventId == null) {
            long opened = connection.openedStamp(mirror != null);
            long position = log.positionAt(opened);
            subscription.position = position;
            subscription.gap = position == log.oldestPosition() && log.droppedAfter(opened);
            return subscription.gap ? Resume.GAP : Resume.NONE;
        }
        long position = Cursor.offsetIn(lastEventId, epoch);
        return start(subscription, position < 0 ? log.offsetOf(lastEventId) : position, Resume.EXACT, connection);
    }

    /** Starts after the position if the history reaches back to it, else before everything it holds. */
    private Resume start(Subscription subscription, long position, Resume reached, ConnectionImpl connection) {
        if (position >= 0 && (log.reaches(position) || onItsWay(position))) {
            subscription.position = position;
            return reached;
        }
        LOG.debugf("%s does not reach back to where SSE connection [%s] resumes; it replays the %d events it holds",
                this, connection.id(), log.size());
        subscription.position = log.oldestPosition();
        subscription.gap = true;
        return Resume.GAP;
    }

    /**
     * @return whether, without history, the position is one the shared log reached but this copy not yet: the
     *         client saw an event that is on its way here from the subject, and goes on after it
     */
    private boolean onItsWay(long position) {
        return mirror != null && log.capacity() == 0 && position > log.last() && position <= sharedLast;
    }

    /** Called by the connection with this channel's lock held, once it caught up to the end of the log. */
    void goLive(Subscription subscription) {
        if (!subscription.removed && !subscription.live) {
            subscription.live = true;
            if (liveCount == live.length) {
                live = Arrays.copyOf(live, Math.max(8, liveCount * 2));
            }
            subscription.liveSlot = liveCount;
            live[liveCount++] = subscription;
        }
    }

    /** With the lock held: the subscription is live no more. */
    private void leaveLive(Subscription subscription) {
        int slot = subscription.liveSlot;
        Subscription last = live[--liveCount];
        live[slot] = last;
        last.liveSlot = slot;
        live[liveCount] = null;
        if (liveCount < live.length / 4 && live.length > 8) {
            // a channel that emptied gives its room back
            live = Arrays.copyOf(live, live.length / 2);
        }
    }

    /** The connection closed; called off the event loop. */
    void leave(Subscription subscription) {
        lock.lock();
        try {
            drop(subscription);
        } finally {
            lock.unlock();
        }
    }

    private boolean drop(Subscription subscription) {
        if (!joined.remove(subscription.connection, subscription)) {
            return false;
        }
        members(joined.size());
        subscription.removed = true;
        if (subscription.live) {
            leaveLive(subscription);
        }
        reconcileEmptyTimer();
        return true;
    }

    @Override
    public void remove(Connection connection) {
        if (!(connection instanceof ConnectionImpl member)) {
            return;
        }
        lock.lock();
        try {
            Subscription subscription = joined.get(member);
            if (subscription != null && drop(subscription)) {
                // under the lock: a join of this channel that follows finds the connection without it
                member.forget(subscription, true);
            } else if (reserved.remove(member)) {
                reconcileEmptyTimer();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String send(SseMessage message) {
        return send(message, null);
    }

    @Override
    public String send(SseMessage message, Predicate<Connection> filter) {
        Objects.requireNonNull(message, "message");
        if (filter != null && !message.isEvent()) {
            throw new IllegalArgumentException("A filtered send needs an event (data or an event name): comments and "
                    + "retry hints are neither kept nor filtered");
        }
        if (filter != null && mirror != null) {
            throw new IllegalStateException("A filtered send needs quarkus.sse-channels.backend=memory: channel ["
                    + name + "] is shared through Redis, and its other instances cannot apply a Java predicate");
        }
        SseEncoder.Prepared prepared = owner.encoder().prepare(message);
        if (mirror != null) {
            ensureOpen();
            String id = mirror.publish(message, prepared);
            published(message);
            return id;
        }
        boolean callerId = message.id() != null;
        // every frame is built before the lock, but for the position a server id writes in the room left for it
        Buffer built = callerId || !message.isEvent() ? prepared.frame(null) : null;
        lock.lockToSend();
        try {
            ensureOpen();
            if (!message.isEvent()) {
                enqueueLive(built);
                return null;
            }
            long offset = log.nextOffset();
            String id = callerId ? message.id() : Cursor.position(epoch, offset);
            Buffer frame = callerId ? built : prepared.frameWithPosition(id);
            lastStamp = owner.nextStamp(lastStamp);
            append(new Event(this, offset, lastStamp, id, callerId, frame, prepared.body(), filter));
            published(message);
            return id;
        } finally {
            lock.unlock();
        }
    }

    private void published(SseMessage message) {
        if (counters != null && message.isEvent()) {
            counters.published.increment();
        }
    }

    /** With the lock held: the event enters the history and is queued on every live connection. */
    private void append(Event event) {
        log.append(event);
        Subscription[] subscriptions = live;
        for (int i = 0, n = liveCount; i < n; i++) {
            subscriptions[i].connection.enqueue(event);
        }
    }

    /** With the lock held: a frame outside the history (a comment) is queued on every live connection. */
    private void enqueueLive(Buffer frame) {
        Subscription[] subscriptions = live;
        for (int i = 0, n = liveCount; i < n; i++) {
            subscriptions[i].connection.enqueue(frame);
        }
    }

    /** What became of a message of the shared log. */
    enum Applied {
        /** Published to the connections, or ignored as one applied before. */
        DONE,
        /** Not the next one: some before it are missing. */
        MISSING,
        /**
         * The log holds less than this copy, or another event at an offset the copy has, in the same epoch: Redis
         * lost its newest writes (a restart from an older snapshot, a failover to a replica behind).
         */
        ROLLED_BACK
    }

    /**
     * With the lock held: applies a message of the shared log (in the format {@link Broker} describes) if it is the
     * next one.
     */
    Applied applyShared(Buffer message) {
        if (closed) {
            return Applied.DONE;
        }
        if (message.length() > 0 && message.getByte(0) == 'T') {
            enqueueLive(message.getBuffer(1, message.length()));
            return Applied.DONE;
        }
        SharedEvent event = SharedEvent.parse(message);
        if (!event.epoch().equals(epoch) || event.offset() > log.last() + 1) {
            return Applied.MISSING;
        }
        if (event.offset() == log.last() + 1) {
            append(event.toEvent(this));
        } else if (heldOtherwise(event)) {
            return Applied.ROLLED_BACK;
        }
        return Applied.DONE;
    }

    /** @return whether the copy holds another event at this event's offset (one published in its stead) */
    private boolean heldOtherwise(SharedEvent event) {
        Event held = log.get(event.offset());
        return held != null && held != EventLog.EVICTED && held.stamp() != event.stamp();
    }

    /**
     * With the lock held: catches up with what the shared log holds. A log of another epoch (Redis lost its data),
     * or one that no longer holds the events after this copy's end, cannot be continued: the connections are cut,
     * so that they resume and are told of the gap, and the copy starts over.
     *
     * @param after the copy's end when the log was read: live messages may have taken it further since, so a log
     *        that ends before the copy's end now need not have lost anything, but one that ends before this has
     * @param forResume whether a client's resume asked for the read: without history the log holds no events, so
     *        the copy cannot tell then a lost event from one still on its way from the subject, and does not start
     *        over for it (a message beyond the next one will show a real loss)
     */
    Applied applyShared(Broker.History history, long after, boolean forResume) {
        if (closed) {
            return Applied.DONE;
        }
        List<SharedEvent> events = new ArrayList<>(history.entries().size());
        for (Buffer entry : history.entries()) {
            try {
                events.add(SharedEvent.parse(entry));
            } catch (IllegalArgumentException e) {
                // written by something else than this extension: skipped, or the channel would stall on it
                LOG.warnf("%s skips an entry of its Redis stream that it did not write: %s", this, e.getMessage());
            }
        }
        boolean sameEpoch = history.epoch().equals(epoch);
        if (sameEpoch && (history.last() < after || events.stream().anyMatch(this::heldOtherwise))) {
            return Applied.ROLLED_BACK;
        }
        long next = events.isEmpty() ? history.last() + 1 : events.get(0).offset();
        boolean lost = next > log.last() + 1 && (log.capacity() > 0 || !forResume);
        if (!sameEpoch || lost) {
            restart(history.epoch(), next - 1);
        }
        for (SharedEvent event : events) {
            if (event.offset() == log.last() + 1) {
                append(event.toEvent(this));
            }
        }
        sharedLast = history.last();
        return Applied.DONE;
    }

    private void restart(String newEpoch, long after) {
        if (!joined.isEmpty()) {
            LOG.debugf("%s cannot continue its copy of the shared log (epoch %s, offset %d) from the log (epoch %s, "
                    + "offset %d): its %d connections resume", this, epoch, log.last(), newEpoch, after, joined.size());
            letGo().forEach(s -> s.connection.resumeElsewhere(this));
            reconcileEmptyTimer();
        }
        log = new EventLog(log.capacity(), after);
        epoch = newEpoch;
    }

    /** With the lock held: every connection leaves; one catching up stops before it reads the history again. */
    private List<Subscription> letGo() {
        List<Subscription> left = new ArrayList<>(joined.values());
        left.forEach(s -> {
            s.removed = true;
            s.connection.forget(s, false);
        });
        joined.clear();
        members(0);
        live = NO_SUBSCRIPTIONS;
        liveCount = 0;
        return left;
    }

    @Override
    public int size() {
        return members;
    }

    /** With the lock held: the channel has that many connections now. */
    private void members(int now) {
        if (counters != null) {
            counters.connections.add(now - members);
        }
        members = now;
    }

    /** @return up to that many of the newest events this instance holds, newest first; read without the lock */
    List<Event> lastEvents(int count) {
        EventLog held = log;
        List<Event> events = new ArrayList<>(count);
        for (long offset = held.last(); events.size() < count; offset--) {
            Event event = held.get(offset);
            if (event == null || event == EventLog.EVICTED) {
                break;
            }
            events.add(event);
        }
        return events;
    }

    @Override
    public int historySize() {
        return log.size();
    }

    @Override
    public void close() {
        close(true);
    }

    /** @return whether the application closed the channel, for every instance (not only here, nor as empty) */
    boolean closedEverywhere() {
        return closedEverywhere;
    }

    /** @return whether this instance last marked the shared channel present as one it has connections to */
    boolean occupiedHere() {
        lock.lock();
        try {
            return occupied && !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the channel in this instance only: the application stops, other instances go on with it. */
    void closeHere() {
        close(false);
    }

    private void close(boolean everywhere) {
        List<Consumer<Channel>> toRun;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            // let go of the connections first: one catching up then stops before it reads the cleared history
            letGo();
            toRun = closeLocked();
            closedEverywhere = everywhere;
        } finally {
            lock.unlock();
        }
        if (everywhere && mirror != null) {
            mirror.absent();
        }
        LOG.debugf("%s closed", this);
        toRun.forEach(this::runListener);
    }

    private List<Consumer<Channel>> closeLocked() {
        closed = true;
        cancelEmptyTimer();
        reserved.clear();
        log.clear();
        if (mirror != null) {
            mirror.detach();
        }
        List<Consumer<Channel>> toRun = new ArrayList<>(listeners);
        listeners.clear();
        return toRun;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Connection.Registration onClose(Consumer<Channel> listener) {
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            if (!closed) {
                listeners.add(listener);
                return () -> {
                    lock.lock();
                    try {
                        listeners.remove(listener);
                    } finally {
                        lock.unlock();
                    }
                };
            }
        } finally {
            lock.unlock();
        }
        runListener(listener);
        return () -> {
        };
    }

    private void runListener(Consumer<Channel> listener) {
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            LOG.warnf(e, "A close listener of %s failed", this);
        }
    }

    /**
     * Starts the countdown when the channel is empty and stops it when not; every change of membership ends with it,
     * so no order of joins, leaves and closes can leave a wrong countdown behind.
     */
    private void reconcileEmptyTimer() {
        boolean empty = joined.isEmpty() && reserved.isEmpty() && reserving == 0
                && (mirror == null || !mirror.pinned());
        if (mirror != null && !closed) {
            if (empty) {
                mirror.detach();
            }
            if (occupied == empty) {
                occupied = !empty;
                mirror.occupied(occupied);
            }
        }
        if (empty && emptyTimer == null && !emptyTimeout.isZero() && !closed) {
            long generation = ++emptyTimerGeneration;
            emptyTimer = owner.timers().once(owner.anyEventLoop(), Timers.nanos(emptyTimeout),
                    () -> offloadEmptyTimeout(generation));
        } else if (!empty) {
            cancelEmptyTimer();
        }
    }

    private void cancelEmptyTimer() {
        if (emptyTimer != null) {
            emptyTimer.cancel();
            emptyTimer = null;
        }
    }

    /** A shared temporary channel asks Redis whether it is present elsewhere first: that waits for the broker. */
    private void offloadEmptyTimeout(long generation) {
        if (closesWhenEmpty && mirror != null) {
            owner.offloadToBroker(() -> emptyTimeoutReached(generation));
        } else {
            owner.offload(() -> emptyTimeoutReached(generation));
        }
    }

    /** Checks and acts in one step under the lock: a connection joins either before (and stays) or after (and fails). */
    private void emptyTimeoutReached(long generation) {
        // a shared temporary channel lives on while another instance has (or just had) connections to it
        boolean elsewhere = closesWhenEmpty && mirror != null && mirror.presentAnywhere();
        List<Consumer<Channel>> toRun = List.of();
        lock.lock();
        try {
            if (emptyTimer == null || generation != emptyTimerGeneration) {
                return;
            }
            emptyTimer = null;
            if (elsewhere) {
                reconcileEmptyTimer();
                return;
            }
            LOG.debugf("%s stayed empty for %s", this, emptyTimeout);
            if (closesWhenEmpty) {
                toRun = closeLocked();
            } else if (mirror == null) {
                // a shared log keeps its history in the broker, bounded by its size
                log.clear();
            }
        } finally {
            lock.unlock();
        }
        toRun.forEach(this::runListener);
    }

    private boolean isFull() {
        return maxConnections > 0 && joined.size() + reserved.size() + reserving >= maxConnections;
    }

    private void ensureRoom() {
        if (isFull()) {
            // a named channel's limit is its own; a temporary channel's, its store's
            throw owner.unavailable("Too many SSE connections: SSE channel [" + name + "] already has its "
                    + maxConnections + " connections (" + (closesWhenEmpty ? "its store's max-connections"
                            : "quarkus.sse-channels.channels.\"" + name + "\".max-connections") + ")");
        }
    }

    /** A join or open that attached gives its pin back: the channel may be empty now. */
    void releaseAttach() {
        unpin(false);
    }

    void ensureOpen() {
        if (closed) {
            throw new ChannelClosedException(name);
        }
    }

    @Override
    public String toString() {
        return "SSE channel [" + name + "]";
    }
}
