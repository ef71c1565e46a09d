package io.quarkiverse.ssechannels;

import jakarta.ws.rs.sse.SseEventSink;

/**
 * The entry point of the extension, an application-scoped bean: opens connections and gives access to channels.
 *
 * <pre>
 * &#64;Inject SseChannels sse;
 * &#64;Inject &#64;ChannelName("weather") Channel weather;
 *
 * &#64;GET &#64;Path("/sse/weather") &#64;Produces(MediaType.SERVER_SENT_EVENTS)
 * public void subscribe(&#64;Context SseEventSink sink) {
 *     sse.open(sink).join(weather);
 * }
 * </pre>
 *
 * All methods are thread safe.
 */
public interface SseChannels {

    /**
     * Opens a connection with the configured ping interval and timeout. Call it from the resource method that
     * received the sink: it writes the response head at once (status 200, {@code Content-Type: text/event-stream},
     * {@code Cache-Control: no-cache}, {@code X-Accel-Buffering: no}) and reads the client's last event id from the
     * {@code Last-Event-ID} header, else the {@code lastEventId} query parameter. Do not use the sink afterwards;
     * the connection owns it.
     *
     * @param sink the sink RESTEasy Reactive injected with {@code @Context}
     * @return the open connection
     * @throws IllegalStateException if called outside the resource method of a RESTEasy Reactive SSE request
     */
    Connection open(SseEventSink sink);

    /**
     * Like {@link #open(SseEventSink)}, with options overriding the configuration for this connection.
     *
     * @param sink the sink RESTEasy Reactive injected with {@code @Context}
     * @param options the options; unset values come from the configuration
     * @return the open connection
     * @throws IllegalStateException if called outside the resource method of a RESTEasy Reactive SSE request
     */
    Connection open(SseEventSink sink, ConnectionOptions options);

    /**
     * @param name the channel name; not blank
     * @return the named channel, the same instance as {@code @Inject @ChannelName(name) Channel}, created on first
     *         use with its {@code quarkus.sse-channels.channels."<name>".*} configuration; it lives as long as the
     *         application unless {@linkplain Channel#close() closed}, and then stays closed
     */
    Channel channel(String name);

    /**
     * Creates a channel that belongs to the caller (not registered anywhere).
     *
     * @param name a name for logs and errors
     * @param options history size and empty timeout (after which the channel closes)
     * @return the new channel
     */
    Channel newChannel(String name, ChannelOptions options);

    /**
     * @return the number of connections open now in this application instance
     */
    int openConnections();
}
