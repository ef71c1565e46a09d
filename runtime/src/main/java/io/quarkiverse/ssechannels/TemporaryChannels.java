package io.quarkiverse.ssechannels;

import java.util.Optional;
import java.util.Set;

/**
 * A store of channels created on demand, one per key (one per user, say), each closing and leaving the store once it
 * has stayed empty for its empty timeout.
 * <p>
 * Inject it with its name and key type: {@code @Inject @ChannelStore("users") TemporaryChannels<String> users;}. There
 * is one store per name, shared by every injection point of that name; its channels use
 * {@code quarkus.sse-channels.stores."<name>".history-size} and {@code .empty-timeout}, which default to
 * {@code quarkus.sse-channels.history-size} and {@code quarkus.sse-channels.empty-timeout}. All methods are thread
 * safe.
 *
 * @param <K> the key type; keys are compared with {@code equals} and must not be {@code null}
 */
public interface TemporaryChannels<K> {

    /**
     * Returns the key's channel, creating it when absent. Concurrent calls for one key get the same channel, and a
     * channel handed out is never already closed. A new channel that nobody joins closes after the empty timeout.
     *
     * @param key the key; not {@code null}
     * @return the open channel of that key
     */
    Channel getOrCreate(K key);

    /**
     * Adds the connection to the key's channel, creating the channel when absent. Unlike
     * {@code getOrCreate(key).add(connection)}, this never fails because the channel's empty timeout closed it in
     * between: it then joins the key's new channel. The connection is in the returned channel unless it was
     * already closed, or the channel holds the store's {@code max-connections} (the connection's stream then ends
     * with a {@code retry:} hint of {@code quarkus.sse-channels.retry-after}); how exactly it resumed is told by
     * {@link Connection#resume()}. A connection closed already (its
     * client left, or its route was refused) creates no channel: it gets the key's channel if there is one, else a
     * channel that is closed.
     *
     * @param key the key; not {@code null}
     * @param connection the connection; not {@code null}
     * @return the channel the connection joined, or for a connection closed already, the key's channel or a closed
     *         one
     */
    Channel join(K key, Connection connection);

    /**
     * @param key the key
     * @return the key's open channel, or empty when it has none
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     */
    Optional<Channel> get(K key);

    /**
     * @return a snapshot of the keys that have an open channel
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     */
    Set<K> keys();

    /**
     * @return the number of open channels in the store
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     */
    int size();
}
