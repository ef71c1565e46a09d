package io.quarkiverse.ssechannels;

import java.util.function.Consumer;

import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * A broadcast group of {@link Connection}s with a bounded history of the events sent to it.
 * <p>
 * Every event gets an id: the caller's, or one the channel assigns. When a connection is {@linkplain #add added},
 * the channel first replays from its history every event that came after the connection's
 * {@link Connection#lastEventId() last event id}, then delivers live events; replay and hand-over to live delivery
 * are atomic, so the client sees no gap and no duplicate even while other threads send. A last event id the channel
 * never held or no longer holds (evicted from the history, or sent to another channel) is resolved against every
 * channel's history, so a connection in several channels replays, in each, what it missed; an id found nowhere makes
 * the channel replay its whole history, because losing nothing is worth a possible duplicate.
 * <p>
 * All methods are thread safe. A broadcast encodes the frame once, queues it on every connection and returns; it
 * never blocks on a slow or dead client.
 */
public interface Channel {

    /**
     * @return the channel's name: its {@link ChannelName} for named channels, the key's string form for temporary
     *         channels
     */
    String name();

    /**
     * Opens a connection with a place reserved in this channel, like {@link SseChannels#open(SseEventSink)}; the
     * connection takes the place when it is {@linkplain #add added}, or frees it when it closes first. When the
     * channel already holds its {@code max-connections}, nothing is opened and the request is answered
     * {@code 503 Service Unavailable} with a {@code Retry-After} header. Call it from the resource method that
     * received the sink.
     *
     * @param sink the sink RESTEasy Reactive injected with {@code @Context}
     * @return the open connection, not yet in the channel
     * @throws ServiceUnavailableException if the channel is full (RESTEasy Reactive answers it as a 503)
     * @throws ChannelClosedException if this channel is closed
     */
    Connection open(SseEventSink sink);

    /**
     * Replays what the connection missed, then delivers live events to it until it closes or is removed. Adding a
     * connection already in the channel does nothing. A closed connection is ignored.
     *
     * @param connection the connection; not {@code null}
     * @throws ChannelClosedException if this channel is closed
     * @throws ServiceUnavailableException if the channel holds its {@code max-connections} and the connection did
     *         not come from {@link #open(SseEventSink)}, which reserves a place before the stream starts
     */
    void add(Connection connection);

    /**
     * Stops delivering to the connection; the connection stays open. Does nothing if it is not in the channel.
     *
     * @param connection the connection
     */
    void remove(Connection connection);

    /**
     * Sends a message to every connection and, if it is an event, appends it to the history.
     *
     * @param message the message; its id, if any, is the caller's opaque string
     * @return the event's id (the caller's or the assigned one), or {@code null} for a comment-only or retry-only
     *         message, which gets no id and is not kept
     * @throws ChannelClosedException if this channel is closed
     * @throws IllegalArgumentException if the message data cannot be serialised, or is larger than
     *         {@code quarkus.sse-channels.max-data-size}; nothing is sent or kept
     */
    String send(SseMessage message);

    /**
     * @return the number of connections in the channel now
     */
    int size();

    /**
     * @return the number of events the history holds now
     */
    int historySize();

    /**
     * Closes the channel: its connections leave it (they stay open), its history is dropped, later
     * {@link #add}/{@link #send} calls throw {@link ChannelClosedException} and close listeners run. Idempotent.
     */
    void close();

    /**
     * @return {@code true} once the channel is closed, by {@link #close()} or its empty timeout
     */
    boolean isClosed();

    /**
     * Registers a listener that runs exactly once when the channel closes; at once if it is already closed.
     *
     * @param listener the listener; not {@code null}
     * @return a handle that removes the listener
     */
    Connection.Registration onClose(Consumer<Channel> listener);
}
