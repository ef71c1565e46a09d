package io.quarkiverse.ssechannels;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;

/**
 * One open Server-Sent Events stream to one client, opened with {@link SseChannels#open}.
 * <p>
 * A connection writes what it is given and keeps no history; add it to a {@link Channel} for broadcasts and replay.
 * It pings the client with a comment every ping interval and ends the stream cleanly when its timeout (maximum
 * lifetime) is reached. All methods are thread safe and never block on the network: messages are queued and written
 * on the connection's event loop in the order they were sent.
 * <p>
 * A connection that has joined several channels gets their events in publish order, each with an id that records
 * its position in every one of them (a cursor), so that a reconnection resumes exactly in each; a connection that has
 * only ever been in one channel gets the events with their own ids. Once a join has caught up, the client is told
 * its position with an {@code id:} line that dispatches no event, so that a client whose stream breaks before its
 * first event still resumes from where it began.
 * <p>
 * A connection closes exactly once, whether the server ends it ({@link #close()}, timeout, application shutdown) or
 * the client goes away; its close listeners then run exactly once and it leaves every channel it was in.
 */
public interface Connection {

    /**
     * @return an id unique within this application instance, for logs and maps
     */
    String id();

    /**
     * Joins the channels at once: each resolves the client's {@linkplain #lastEventId() last event id} in its own
     * history, the connection catches up on what it missed in all of them, merged in publish order and paced by the
     * client's reading, then receives their live events. Joining a channel the connection is already in does nothing
     * for that channel; joining one it was {@linkplain Channel#remove removed} from goes on from where it left. Call
     * it while handling the request that opened the connection: in its resource method, on its thread, or for a
     * Vert.x route, on the request's Vert.x context (the handler, and callbacks that run on that context, which
     * resume from where the stream opened if the client sent no id). A channel joined anywhere else (later, from
     * another request, thread or context) starts at its newest event, without replay.
     *
     * @param channels the channels; not empty
     * @return {@code true} if the connection is in every channel; {@code false} if it was already closed (as is
     *         every connection opened while the application stops), or if a
     *         channel holds its {@code max-connections} and the connection did not come from that channel's
     *         {@link Channel#open}: it then joins none of them and its stream ends with a {@code retry:} hint of
     *         {@code quarkus.sse-channels.retry-after}
     * @throws ChannelClosedException if a channel is closed; the connection then joins none of them
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     * @throws IllegalArgumentException if no channel is given
     */
    boolean join(Channel... channels);

    /**
     * Joins the channels like {@link #join(Channel...)}, and sends the message that {@code first} makes of how
     * exactly the client resumed before anything the channels replay or deliver live: the place for a snapshot
     * when the resume is a {@link Resume#GAP}. ({@code join} then {@code send} cannot promise that order: the
     * connection starts catching up as soon as it joined.) Channels without history ({@code history-size} 0) have
     * nothing to replay and deliver live at once.
     *
     * <pre>
     * connection.join(resume -&gt; resume == Resume.GAP ? snapshot() : null, weather, news);
     * </pre>
     *
     * @param first given how exactly this join resumed the client, the message to send first, or {@code null} for
     *        none; called on the calling thread, after the channels' locks were released
     * @param channels the channels; not empty
     * @return as {@link #join(Channel...)}; {@code first} is called only when the connection joined
     * @throws ChannelClosedException if a channel is closed; the connection then joins none of them
     * @throws IllegalStateException with {@code quarkus.sse-channels.backend=redis}, when called on an event loop
     *         thread: it would wait for Redis
     * @throws IllegalArgumentException if no channel is given
     */
    boolean join(Function<Resume, SseMessage> first, Channel... channels);

    /**
     * @return how exactly the joins so far resumed the client: {@link Resume#GAP} if any channel could not reach
     *         back to the client's position (send a snapshot then), {@link Resume#EXACT} if every channel did,
     *         {@link Resume#NONE} when the client sent no last event id and nothing since its stream opened was lost
     *         (or before any join)
     */
    Resume resume();

    /**
     * Queues a message for this client. Does nothing, and does not throw, once the connection is closed. The message
     * is written as given: on a connection in channels, an id here would replace the client's position, so send
     * events with ids through the channels.
     *
     * @param message the message; not {@code null}
     * @throws IllegalArgumentException if the message data cannot be serialised (for instance, an object and no
     *         Jackson in the application), or is larger than {@code quarkus.sse-channels.max-data-size}
     */
    void send(SseMessage message);

    /**
     * Queues a comment line, ignored by clients. Does nothing once the connection is closed.
     *
     * @param comment the comment; must not contain CR or LF
     * @throws IllegalArgumentException if the comment contains CR or LF
     */
    default void sendComment(String comment) {
        send(SseMessage.comment(comment));
    }

    /**
     * Queues a data-only message (a {@code message} event). Does nothing once the connection is closed.
     *
     * @param data text, or an object serialised to JSON
     */
    default void sendData(Object data) {
        send(SseMessage.data(data));
    }

    /**
     * Ends the stream cleanly after what was already queued has been written. Idempotent; returns at once.
     */
    void close();

    /**
     * @return {@code false} once {@link #close()} was called or the stream ended for any other reason
     */
    boolean isOpen();

    /**
     * Registers a listener that runs exactly once when this connection closes, on the connection's event loop. A
     * listener added to an already closed connection runs at once. Exceptions thrown by listeners are logged and do
     * not stop the other listeners. The connection leaves its channels on another thread (an event loop never waits
     * for a channel's lock), so a listener may still find it counted in a channel's {@link Channel#size()}; it
     * receives nothing more.
     *
     * @param listener the listener; not {@code null}
     * @return a handle that removes the listener again
     */
    Registration onClose(Consumer<Connection> listener);

    /**
     * @return the id of the last event the client saw when it connected: the {@code Last-Event-ID} header, else the
     *         {@code lastEventId} query parameter; {@code null} when the client sent neither
     */
    String lastEventId();

    /**
     * @return the HTTP request that opened this stream (headers, query parameters, remote address)
     */
    HttpServerRequest request();

    /**
     * The identity of the client, as Quarkus Security established it for the request that opened this stream: its
     * principal and roles, for a filtered send ({@link Channel#send(SseMessage, java.util.function.Predicate)}) or a
     * close listener. It is taken when the stream opens and kept as it was for the stream's lifetime.
     *
     * @return the request's identity; empty if the request was not authenticated (no credentials, or an anonymous
     *         identity), or if it had not been authenticated yet when the stream opened (with
     *         {@code quarkus.http.auth.proactive=false}, on an endpoint that does not require authentication)
     */
    Optional<SecurityIdentity> identity();

    /**
     * Attributes of the application's own for this connection, such as what it looked up when the stream opened,
     * for a filtered send or a close listener. Set them before the connection joins a channel: it starts catching up
     * at once, and a filter asked then sees what was set by then. Thread safe; empty until the application puts
     * something in it, and gone with the connection.
     *
     * @return the connection's attributes, a map the application may change
     */
    Map<String, Object> attributes();

    /**
     * A handle on a registered listener.
     */
    @FunctionalInterface
    interface Registration {
        /**
         * Removes the listener; does nothing if it already ran or was removed.
         */
        void remove();
    }
}
