package io.quarkiverse.ssechannels;

import java.util.function.Consumer;
import java.util.function.Predicate;

import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import io.smallrye.mutiny.Multi;
import io.vertx.ext.web.RoutingContext;

/**
 * A broadcast group of {@link Connection}s with a bounded history of the events sent to it.
 * <p>
 * Every event gets an offset in the channel's log and an id: the caller's, sent as given, or one the channel assigns,
 * made of the channel's <em>epoch</em> (random, new for every channel instance, so new after a restart) and the
 * offset. When a connection joins, the channel resolves the client's last event id in its own history only, and the
 * connection first catches up on every event after it, at the pace the client reads, then receives live events: the
 * client sees each event once, in order, without a gap. How exact that resume was is told by
 * {@link Connection#resume()}. A connection in several channels (see {@link Connection#join(Channel...)}) gets their
 * events in publish order, each carrying an id that records its position in all of them.
 * <p>
 * All methods are thread safe. A broadcast encodes the frame once, queues it on every connection and returns; it
 * never blocks on a slow or dead client. Channels are independent: sends to different channels run in parallel.
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
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     */
    Connection open(SseEventSink sink);

    /**
     * Opens a connection on the response of a Vert.x route with a place reserved in this channel, like
     * {@link SseChannels#open(RoutingContext)}; the connection takes the place when it is {@linkplain #add added}, or
     * frees it when it closes first. When the channel already holds its {@code max-connections}, nothing is opened:
     * the request is answered {@code 503 Service Unavailable} with a {@code Retry-After} header, and the connection
     * returned is closed ({@link #add} returns {@code false} for it).
     *
     * @param routing the route's routing context
     * @return the open connection, not yet in the channel, or a closed one if the stream was refused
     * @throws ChannelClosedException if this channel is closed
     * @throws IllegalStateException if called off the request's own Vert.x context (its handler's), once the response
     *         head was written, if a connection took the response already, or, with
     *         {@code quarkus.sse-channels.backend=redis}, when called on an event loop thread: it would wait for Redis
     */
    Connection open(RoutingContext routing);

    /**
     * A stream for a resource method to return, like {@link SseChannels#multi(java.util.function.Consumer)}, with a
     * place reserved in this channel as {@link #open(SseEventSink)} reserves it: {@code onOpen} gets the connection,
     * which takes the place when it is {@linkplain #add added}, or frees it when it closes first. When the channel
     * already holds its {@code max-connections}, nothing is opened, {@code onOpen} does not run, and the request is
     * answered {@code 503 Service Unavailable} with a {@code Retry-After} header.
     *
     * <pre>
     * return weather.multi(connection -&gt; weather.add(connection));
     * </pre>
     *
     * @param onOpen gets the open connection, not yet in the channel, on the thread that ran the resource method
     * @return the stream, for the resource method to return
     * @throws IllegalStateException if called outside a RESTEasy Reactive resource method
     */
    Multi<OutboundSseEvent> multi(Consumer<Connection> onOpen);

    /**
     * Joins the connection to this channel, the same as {@code connection.join(this)}: the connection catches up on
     * what it missed, then receives live events until it closes or is removed.
     *
     * @param connection the connection; not {@code null}
     * @return {@code true} if the connection is in the channel (also when it already was); {@code false} if it was
     *         already closed, or if the channel holds its {@code max-connections} and the connection did not come from
     *         {@link #open(SseEventSink)}: its stream then ends with a {@code retry:} hint of
     *         {@code quarkus.sse-channels.retry-after}, as the response head was already sent
     * @throws ChannelClosedException if this channel is closed
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     */
    boolean add(Connection connection);

    /**
     * Stops delivering to the connection; the connection stays open. Does nothing if it is not in the channel.
     *
     * @param connection the connection
     */
    void remove(Connection connection);

    /**
     * Sends a message to every connection and, if it is an event, appends it to the history.
     *
     * @param message the message; its id, if any, is the caller's opaque string, resolved only in this channel (when
     *        an id repeats within the channel, a client that resumes from it resumes after its newest occurrence)
     * @return the event's id (the caller's or the assigned one), or {@code null} for a comment-only or retry-only
     *         message, which gets no id, is not kept and reaches only the connections that are not catching up
     * @throws ChannelClosedException if this channel is closed
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     * @throws IllegalArgumentException if the message data cannot be serialised, or is larger than
     *         {@code quarkus.sse-channels.max-data-size}; nothing is sent or kept
     */
    String send(SseMessage message);

    /**
     * Sends an event only to the connections the filter admits, such as those whose client has a role:
     * {@code channel.send(message, c -> c.identity().map(i -> i.hasRole("admin")).orElse(false))}. The frame is still
     * encoded once and the event kept once in the history; each connection asks the filter, on its own event loop,
     * when it would write the event, live or while catching up. So a client that reconnects is replayed only what the
     * filter admits for its new connection, and never an event the filter kept from it. The event takes its place in
     * the channel's order for every connection: past it, a connection it was kept from goes on as past any other.
     * <p>
     * The filter runs on event loops, once per connection and event, and again whenever the event is replayed, possibly
     * long after this call: it must be quick, must not block, and must depend only on the connection (its
     * {@link Connection#identity() identity}, its {@link Connection#attributes() attributes}, set before it joined,
     * its {@link Connection#request() request}) and on what it captured itself, not on request-scoped beans. One that
     * throws keeps the event from that connection, and is logged at {@code ERROR}.
     *
     * @param message the event; it must have data or an event name
     * @param filter the connections the event is for; {@code null} for all, as {@link #send(SseMessage)}
     * @return the event's id
     * @throws IllegalArgumentException if the message is a comment or retry hint only, or its data cannot be
     *         serialised or is too large
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}: other instances could not apply
     *         the filter, and would send the event to every connection
     * @throws ChannelClosedException if this channel is closed
     */
    String send(SseMessage message, Predicate<Connection> filter);

    /**
     * @return the number of connections in the channel now, catching up or live
     */
    int size();

    /**
     * @return the number of events the history holds now
     */
    int historySize();

    /**
     * Closes the channel: its connections leave it (they stay open), its history is dropped, later
     * {@link #add}/{@link #send} calls throw {@link ChannelClosedException} and close listeners run. A closed channel
     * stays closed, named channels included. Idempotent.
     */
    void close();

    /**
     * @return {@code true} once the channel is closed, by {@link #close()}, its empty timeout (temporary channels and
     *         channels from {@link SseChannels#newChannel}) or the application's shutdown
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
