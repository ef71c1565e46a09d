package io.quarkiverse.ssechannels;

import java.util.function.Consumer;

import io.vertx.core.http.HttpServerRequest;

/**
 * One open Server-Sent Events stream to one client, opened with {@link SseChannels#open}.
 * <p>
 * A connection writes what it is given and keeps no history; add it to a {@link Channel} for broadcasts and replay.
 * It pings the client with a comment every ping interval and ends the stream cleanly when its timeout (maximum
 * lifetime) is reached. All methods are thread safe and never block on the network: messages are queued and written
 * on the connection's event loop in the order they were sent.
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
     * Queues a message for this client. Does nothing, and does not throw, once the connection is closed.
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
     * Registers a listener that runs exactly once when this connection closes, on the thread that closed it. A
     * listener added to an already closed connection runs at once. Exceptions thrown by listeners are logged and do
     * not stop the other listeners.
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
