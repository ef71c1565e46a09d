package io.quarkiverse.ssechannels;

import java.util.function.Consumer;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import io.smallrye.mutiny.Multi;
import io.vertx.ext.web.RoutingContext;

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
     * Opens a connection on the response of a Vert.x route, with the configured ping interval and timeout: the same
     * connection as {@link #open(SseEventSink)} gives (head, last event id, ping, timeout, limits, replay, shutdown),
     * without a JAX-RS request behind it. Call it from the route's handler, before anything was written to the
     * response; the connection owns the response from then on. A route that only opens and joins may run on the event
     * loop with the default in-memory channels; with {@code quarkus.sse-channels.backend=redis}, joining (and
     * {@link Channel#open(RoutingContext)}) waits for Redis, so use a blocking handler. The connection learns that
     * the response ended from the routing context's end handlers: end it through the connection
     * ({@link Connection#close()}), and watch it with {@link Connection#onClose} or
     * {@code RoutingContext.addEndHandler}, not the response's own end handler, which the connection uses.
     *
     * <pre>
     * void routes(&#64;Observes Router router) {
     *     router.get("/sse/weather").handler(rc -&gt; sse.open(rc).join(weather));
     * }
     * </pre>
     *
     * When the application already holds its {@code max-connections}, nothing is opened: the request is answered
     * {@code 503 Service Unavailable} with a {@code Retry-After} header, and the connection returned is closed (it
     * joins nothing, and sends to it do nothing).
     *
     * @param routing the route's routing context
     * @return the open connection, or a closed one if the stream was refused
     * @throws IllegalStateException if called off the request's own Vert.x context (its handler's), once the response
     *         head was written, or if a connection took the response already
     */
    Connection open(RoutingContext routing);

    /**
     * Like {@link #open(RoutingContext)}, with options overriding the configuration for this connection.
     *
     * @param routing the route's routing context
     * @param options the options; unset values come from the configuration
     * @return the open connection, or a closed one if the stream was refused
     * @throws IllegalStateException if called off the request's own Vert.x context (its handler's), once the response
     *         head was written, or if a connection took the response already
     */
    Connection open(RoutingContext routing, ConnectionOptions options);

    /**
     * A stream for a resource method to return, the same connection as {@link #open(SseEventSink)} gives (head, last
     * event id, ping, timeout, limits, replay, shutdown), opened right after the method returns, on the thread that
     * ran it; {@code onOpen} then gets the connection, to join channels or send to it, as the method body would with
     * {@code open(sink)}. A join there resumes from the client's last event id.
     *
     * <pre>
     * &#64;GET &#64;Path("/sse/weather") &#64;Produces(MediaType.SERVER_SENT_EVENTS)
     * public Multi&lt;OutboundSseEvent&gt; weather() {
     *     return sse.multi(connection -&gt; connection.join(weather));
     * }
     * </pre>
     *
     * The extension writes the events itself, at the pace the client reads, as for every other way of opening a
     * stream: the {@code Multi} carries no items. Return it as is (operators would subscribe to it, which fails), from
     * a method that produces {@code text/event-stream} alone. A method returning a {@code Multi} runs on the event loop
     * unless annotated {@code @Blocking}: that suits the default in-memory channels; with
     * {@code quarkus.sse-channels.backend=redis}, joining waits for Redis, so annotate it {@code @Blocking}. When the
     * application already holds its {@code max-connections}, the request is answered {@code 503 Service Unavailable}
     * with a {@code Retry-After} header and {@code onOpen} does not run.
     *
     * @param onOpen gets the open connection, on the thread that ran the resource method
     * @return the stream, for the resource method to return
     * @throws IllegalStateException if called outside a RESTEasy Reactive resource method
     */
    Multi<OutboundSseEvent> multi(Consumer<Connection> onOpen);

    /**
     * Like {@link #multi(Consumer)}, with options overriding the configuration for this connection.
     *
     * @param options the options; unset values come from the configuration
     * @param onOpen gets the open connection, on the thread that ran the resource method
     * @return the stream, for the resource method to return
     * @throws IllegalStateException if called outside a RESTEasy Reactive resource method
     */
    Multi<OutboundSseEvent> multi(ConnectionOptions options, Consumer<Connection> onOpen);

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
