package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.TemporaryChannels;

/**
 * Channels by key. A closed channel removes itself; readers skip and replace one that closed between lookup and use.
 */
final class TemporaryChannelsImpl<K> implements TemporaryChannels<K> {

    private final SseChannelsImpl owner;
    private final int historySize;
    private final Duration emptyTimeout;
    private final ConcurrentHashMap<K, ChannelImpl> channels = new ConcurrentHashMap<>();

    TemporaryChannelsImpl(SseChannelsImpl owner, int historySize, Duration emptyTimeout) {
        this.owner = owner;
        this.historySize = historySize;
        this.emptyTimeout = emptyTimeout;
    }

    @Override
    public Channel getOrCreate(K key) {
        return ChannelImpl.live(channels, Objects.requireNonNull(key, "key"), this::create);
    }

    private ChannelImpl create(K key) {
        ChannelImpl channel = new ChannelImpl(String.valueOf(key), owner, historySize, emptyTimeout, true, 0);
        channel.onClose(c -> channels.remove(key, c));
        return channel;
    }

    @Override
    public Channel join(K key, Connection connection) {
        Objects.requireNonNull(connection, "connection");
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
        ChannelImpl channel = channels.get(Objects.requireNonNull(key, "key"));
        return channel == null || channel.isClosed() ? Optional.empty() : Optional.of(channel);
    }

    @Override
    public Set<K> keys() {
        return Set.copyOf(channels.keySet());
    }

    @Override
    public int size() {
        return channels.size();
    }

    void closeAll() {
        channels.values().forEach(ChannelImpl::close);
    }
}
