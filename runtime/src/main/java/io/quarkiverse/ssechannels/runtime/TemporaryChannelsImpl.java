package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.quarkiverse.ssechannels.BackendUnavailableException;
import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.TemporaryChannels;

/**
 * Channels by key. A closed channel removes itself; readers skip and replace one that closed between lookup and use.
 * <p>
 * With a shared log (backend {@code redis}) the store is the same in every instance: each instance keeps the
 * channels it uses, marks the keys it has connections for present in the broker (at once, and again every presence
 * interval), and answers {@link #get} and {@link #keys} from the keys present anywhere.
 */
final class TemporaryChannelsImpl<K> implements TemporaryChannels<K> {

    private static final Logger LOG = Logger.getLogger(TemporaryChannelsImpl.class);

    private final SseChannelsImpl owner;
    private final String name;
    /** Turns a key read from the broker into a key of this store. */
    private final Function<String, K> keys;
    private final int historySize;
    private final Duration emptyTimeout;
    /** Per channel, 0 for no limit. */
    private final int maxConnections;
    private final ConcurrentHashMap<K, ChannelImpl> channels = new ConcurrentHashMap<>();
    private final Broker broker;
    private final Duration alive;
    /** Marks this instance's keys present again, every presence interval; {@code null} with the memory backend. */
    private final ScheduledFuture<?> presenceRefresh;
    private final AtomicBoolean refreshing = new AtomicBoolean();

    TemporaryChannelsImpl(SseChannelsImpl owner, String name, Function<String, K> keys, int historySize,
            Duration emptyTimeout, int maxConnections) {
        this.owner = owner;
        this.name = name;
        this.keys = keys;
        this.historySize = historySize;
        this.emptyTimeout = emptyTimeout;
        this.maxConnections = maxConnections;
        this.broker = owner.broker();
        Duration interval = owner.presenceInterval();
        this.alive = interval.multipliedBy(3);
        this.presenceRefresh = broker == null ? null
                : owner.anyEventLoop().scheduleAtFixedRate(this::scheduleRefresh,
                        interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Channel getOrCreate(K key) {
        return ChannelImpl.live(channels, Objects.requireNonNull(key, "key"), this::create);
    }

    private ChannelImpl create(K key) {
        ChannelImpl.Sharing sharing = null;
        if (broker != null) {
            String id = String.valueOf(key);
            // the keys outlive the channel's presence, so that a publish racing its end finds its epoch
            Duration keep = emptyTimeout.isZero() ? null : emptyTimeout.plus(alive).plus(alive);
            sharing = new ChannelImpl.Sharing(broker, "s:" + name + ":" + id, keep,
                    new Mirror.Place(name, id, alive, emptyTimeout));
        }
        ChannelImpl channel = new ChannelImpl(String.valueOf(key), owner, historySize, emptyTimeout, true,
                maxConnections, sharing, owner.unnamedCounters());
        channel.onClose(c -> channels.remove(key, c));
        return channel;
    }

    @Override
    public Channel join(K key, Connection connection) {
        Objects.requireNonNull(connection, "connection");
        if (broker != null) {
            // refused on an event loop every time, whether or not the connection is still open
            Mirror.requireWorker("joining a temporary channel of store [" + name + "]");
        }
        if (!connection.isOpen()) {
            // its client left, or its route was refused a place: no channel, no timer is created for it
            ChannelImpl existing = channels.get(Objects.requireNonNull(key, "key"));
            return existing != null ? existing : ChannelImpl.closed(String.valueOf(key), owner);
        }
        for (;;) {
            Channel channel = getOrCreate(key);
            try {
                connection.join(channel);
                return channel;
            } catch (ChannelClosedException e) {
                // its empty timeout fired between getOrCreate and add: the next round creates a new one
            }
        }
    }

    @Override
    public Optional<Channel> get(K key) {
        if (broker != null) {
            // whether a channel is held here or only elsewhere: refused every time, not sometimes
            Mirror.requireWorker("looking up a temporary channel of store [" + name + "]");
        }
        ChannelImpl channel = channels.get(Objects.requireNonNull(key, "key"));
        if (channel != null && !channel.isClosed()) {
            return Optional.of(channel);
        }
        if (broker != null && broker.isPresent(name, String.valueOf(key))) {
            return Optional.of(getOrCreate(key));
        }
        return Optional.empty();
    }

    @Override
    public Set<K> keys() {
        if (broker == null) {
            return Set.copyOf(channels.keySet());
        }
        Mirror.requireWorker("listing the temporary channels of store [" + name + "]");
        Set<K> all = new HashSet<>(channels.keySet());
        for (String key : broker.presentKeys(name)) {
            all.add(keys.apply(key));
        }
        return Set.copyOf(all);
    }

    @Override
    public int size() {
        return broker == null ? channels.size() : keys().size();
    }

    /** @return the channels of this store this instance holds now, for the Dev UI */
    Collection<ChannelImpl> here() {
        return Collections.unmodifiableCollection(channels.values());
    }

    /** One refresh at a time: while Redis does not answer, refreshes do not pile up behind each other. */
    private void scheduleRefresh() {
        if (refreshing.compareAndSet(false, true)) {
            owner.offloadToBroker(() -> {
                try {
                    refreshPresence();
                } finally {
                    refreshing.set(false);
                }
            });
        }
    }

    /** Marks present again every key this instance has connections for. */
    private void refreshPresence() {
        List<Broker.Presence> present = new ArrayList<>();
        List<ChannelImpl> refreshed = new ArrayList<>();
        for (ChannelImpl channel : channels.values()) {
            if (channel.size() > 0 && !channel.isClosed()) {
                present.add(channel.mirror.presence(true));
                refreshed.add(channel);
            }
        }
        try {
            broker.present(name, present);
            // one closed meanwhile may have been marked absent before this marked it present: absent again
            for (ChannelImpl channel : refreshed) {
                if (channel.closedEverywhere()) {
                    broker.absent(name, channel.mirror.presence(false).key());
                }
            }
        } catch (BackendUnavailableException e) {
            LOG.debugf("The presence of the temporary SSE channels of store [%s] was not refreshed: %s", name,
                    e.getMessage());
        }
    }

    /**
     * The application stops: the channels close here, other instances go on with them. Those this instance had
     * connections to stay present for their empty timeout from now, as when their last connection leaves, so that
     * a client that comes back on another instance finds its channel, history and all.
     */
    void closeAll() {
        if (presenceRefresh != null) {
            presenceRefresh.cancel(false);
            List<Broker.Presence> left = channels.values().stream().filter(ChannelImpl::occupiedHere)
                    .map(c -> c.mirror.presence(false)).toList();
            try {
                broker.present(name, left);
            } catch (BackendUnavailableException e) {
                LOG.debugf("The temporary SSE channels of store [%s] stay present only until their presence "
                        + "expires: %s", name, e.getMessage());
            }
        }
        channels.values().forEach(ChannelImpl::closeHere);
    }
}
