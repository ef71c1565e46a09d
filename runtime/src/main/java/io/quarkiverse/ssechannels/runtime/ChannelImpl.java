package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseMessage;
import io.vertx.core.buffer.Buffer;

/**
 * A channel of this application instance. Every state change happens under the journal lock, which is what makes
 * replay plus hand-over to live delivery atomic: a connection is given the replayed frames and joins the members in
 * one step, so a concurrent send either lands in the history before the replay or is queued after it.
 */
final class ChannelImpl implements Channel {

    private static final Logger LOG = Logger.getLogger(ChannelImpl.class);
    private static final Connection.Registration JOINING = () -> {
    };

    private final String name;
    private final SseChannelsImpl owner;
    private final Journal journal;
    private final ChannelHistory history;
    private final Duration emptyTimeout;
    private final int maxConnections;
    private final Consumer<Connection> leave = this::remove;

    // guarded by journal.lock
    private final Map<ConnectionImpl, Connection.Registration> members = new LinkedHashMap<>();
    /** Opened through this channel and not added yet: each holds a place. */
    private final Map<ConnectionImpl, Connection.Registration> reserved = new HashMap<>();
    private int reserving;
    private final List<Consumer<Channel>> listeners = new ArrayList<>(1);
    private Timers.Timer emptyTimer;
    private long emptyTimerGeneration;
    private boolean closed;

    /**
     * @param maxConnections 0 for no limit
     */
    ChannelImpl(String name, SseChannelsImpl owner, int historySize, Duration emptyTimeout, int maxConnections) {
        this.name = name;
        this.maxConnections = maxConnections;
        this.owner = owner;
        this.journal = owner.journal();
        this.history = new RingHistory(journal, historySize);
        this.emptyTimeout = emptyTimeout;
        journal.lock.lock();
        try {
            startEmptyTimer();
        } finally {
            journal.lock.unlock();
        }
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
        journal.lock.lock();
        try {
            ensureOpen();
            ensureRoom();
            reserving++;
            cancelEmptyTimer();
        } finally {
            journal.lock.unlock();
        }
        ConnectionImpl connection = null;
        try {
            connection = (ConnectionImpl) owner.open(sink);
        } finally {
            journal.lock.lock();
            try {
                reserving--;
                if (connection == null && isEmpty()) {
                    startEmptyTimer();
                }
                if (connection != null) {
                    track(reserved, connection, null);
                }
            } finally {
                journal.lock.unlock();
            }
        }
        return connection;
    }

    @Override
    public void add(Connection connection) {
        ConnectionImpl member = member(connection);
        journal.lock.lock();
        try {
            ensureOpen();
            if (members.containsKey(member) || !member.isOpen()) {
                return;
            }
            Connection.Registration registration = reserved.remove(member);
            if (registration == null) {
                ensureRoom();
            }
            replay(member);
            track(members, member, registration);
            cancelEmptyTimer();
        } finally {
            journal.lock.unlock();
        }
    }

    /**
     * Puts the connection in a map with the close listener that takes it out again: the one it already has (moving
     * from reserved to members), or a new one, which runs at once if the connection closed meanwhile.
     */
    private void track(Map<ConnectionImpl, Connection.Registration> map, ConnectionImpl connection,
            Connection.Registration registration) {
        map.put(connection, JOINING);
        map.replace(connection, registration != null ? registration : connection.onClose(leave));
    }

    private boolean isEmpty() {
        return members.isEmpty() && reserved.isEmpty() && reserving == 0;
    }

    private void ensureRoom() {
        if (maxConnections > 0 && members.size() + reserved.size() + reserving >= maxConnections) {
            throw owner.unavailable("SSE channel [" + name + "] already has its " + maxConnections
                    + " connections (quarkus.sse-channels.channels.\"" + name + "\".max-connections)");
        }
    }

    private void replay(ConnectionImpl member) {
        String lastEventId = member.lastEventId();
        if (lastEventId == null || history.size() == 0) {
            return;
        }
        long after = journal.sequenceOf(lastEventId);
        if (after < 0) {
            LOG.debugf("Last-Event-ID of %s is in no history; channel [%s] replays all %d events it holds", member,
                    name, history.size());
        }
        history.forEachAfter(after, entry -> member.enqueue(entry.frame()));
    }

    @Override
    public void remove(Connection connection) {
        if (!(connection instanceof ConnectionImpl member)) {
            return;
        }
        journal.lock.lock();
        try {
            Connection.Registration registration = reserved.remove(member);
            if (registration == null) {
                registration = members.remove(member);
            }
            if (registration != null) {
                registration.remove();
                if (isEmpty()) {
                    startEmptyTimer();
                }
            }
        } finally {
            journal.lock.unlock();
        }
    }

    @Override
    public String send(SseMessage message) {
        Objects.requireNonNull(message, "message");
        SseEncoder.Prepared prepared = owner.encoder().prepare(message);
        journal.lock.lock();
        try {
            ensureOpen();
            if (!message.isEvent()) {
                fanOut(prepared.frame(null));
                return null;
            }
            long sequence = journal.next();
            String id = message.id() != null ? message.id() : Long.toString(sequence);
            Buffer frame = prepared.frame(id);
            history.append(new ChannelHistory.Entry(sequence, id, frame));
            fanOut(frame);
            return id;
        } finally {
            journal.lock.unlock();
        }
    }

    private void fanOut(Buffer frame) {
        for (ConnectionImpl member : members.keySet()) {
            member.enqueue(frame);
        }
    }

    @Override
    public int size() {
        return locked(members::size);
    }

    @Override
    public int historySize() {
        return locked(history::size);
    }

    @Override
    public void close() {
        List<Consumer<Channel>> toRun;
        journal.lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cancelEmptyTimer();
            members.values().forEach(Connection.Registration::remove);
            members.clear();
            reserved.values().forEach(Connection.Registration::remove);
            reserved.clear();
            history.clear();
            toRun = new ArrayList<>(listeners);
            listeners.clear();
        } finally {
            journal.lock.unlock();
        }
        LOG.debugf("SSE channel [%s] closed", name);
        toRun.forEach(this::runListener);
    }

    @Override
    public boolean isClosed() {
        return locked(() -> closed);
    }

    private <T> T locked(Supplier<T> read) {
        journal.lock.lock();
        try {
            return read.get();
        } finally {
            journal.lock.unlock();
        }
    }

    @Override
    public Connection.Registration onClose(Consumer<Channel> listener) {
        Objects.requireNonNull(listener, "listener");
        journal.lock.lock();
        try {
            if (!closed) {
                listeners.add(listener);
                return () -> {
                    journal.lock.lock();
                    try {
                        listeners.remove(listener);
                    } finally {
                        journal.lock.unlock();
                    }
                };
            }
        } finally {
            journal.lock.unlock();
        }
        runListener(listener);
        return () -> {
        };
    }

    private void runListener(Consumer<Channel> listener) {
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            LOG.warnf(e, "A close listener of SSE channel [%s] failed", name);
        }
    }

    private void startEmptyTimer() {
        if (!emptyTimeout.isZero() && emptyTimer == null && !closed) {
            long generation = ++emptyTimerGeneration;
            emptyTimer = owner.timers().once(owner.anyEventLoop(), emptyTimeout, () -> emptyTimeoutReached(generation));
        }
    }

    private void cancelEmptyTimer() {
        if (emptyTimer != null) {
            emptyTimer.cancel();
            emptyTimer = null;
        }
    }

    private void emptyTimeoutReached(long generation) {
        journal.lock.lock();
        try {
            // A connection may have joined, and left again with a new countdown, while this timer was firing.
            if (emptyTimer == null || generation != emptyTimerGeneration || !isEmpty()) {
                return;
            }
            emptyTimer = null;
        } finally {
            journal.lock.unlock();
        }
        LOG.debugf("SSE channel [%s] stayed empty for %s", name, emptyTimeout);
        close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new ChannelClosedException(name);
        }
    }

    private ConnectionImpl member(Connection connection) {
        if (connection instanceof ConnectionImpl member) {
            return member;
        }
        throw new IllegalArgumentException("Only connections opened with SseChannels.open can join SSE channel ["
                + name + "], got [" + connection + "]");
    }

    @Override
    public String toString() {
        return "SSE channel [" + name + "]";
    }
}
