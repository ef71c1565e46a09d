package io.quarkiverse.ssechannels.client;

import java.net.URI;
import java.util.Objects;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.vertx.core.Vertx;

/**
 * Follows an event stream, such as a channel of quarkus-sse-channels, as a {@link Multi} that outlives its
 * connections: when a connection ends or fails, it connects again with the {@code Last-Event-ID} of the last event
 * it received, after the delay the server asked for with {@code retry:} (else {@link FollowOptions#retry()}), so a
 * server that replays from that id (as quarkus-sse-channels does from its history) loses the client nothing and
 * sends it nothing twice.
 *
 * <pre>
 * ResumingSseClient.follow(vertx, URI.create("http://weather:8080/sse/weather"))
 *         .subscribe().with(event -&gt; forecast(event.data()));
 * </pre>
 *
 * <ul>
 * <li>Each subscription follows the stream on a connection of its own; cancelling it closes that connection and stops
 * reconnecting. Redirects are followed.</li>
 * <li>Demand reaches the socket: while the subscriber requests nothing, the connection stops reading (the events of
 * the chunk being read are kept for the subscriber), so the server's own flow control applies, and a reconnection
 * waits until the subscriber asks for more; nothing is dropped.</li>
 * <li>Attempts that fail (no connection, a reset, a {@code 5xx} or {@code 429} status, a connection that ends within
 * a second without an event, one silent for {@link FollowOptions#idleTimeout()}) back off: the delay doubles, from
 * the retry delay but at least 250 ms, up to {@link FollowOptions#maxBackoff()}, with up to a quarter more of random
 * jitter, so that the clients of a restarted server do not all come back at once; a {@code Retry-After} in seconds is
 * obeyed. A stream the server ends cleanly is resumed after its {@code retry:} delay (plus jitter).</li>
 * <li>The stream completes when the server answers {@code 204 No Content} (the SSE way of saying "stop"), and fails
 * with {@link SseClientException} for what reconnecting cannot mend: another {@code 3xx} or {@code 4xx} answer, a
 * response that is not {@code text/event-stream}, a line longer than 8 MiB, or a last event id that a header cannot
 * carry.</li>
 * <li>Events are emitted on a Vert.x event loop: a subscriber that blocks should move to a worker first
 * ({@code emitOn(Infrastructure.getDefaultWorkerPool())}).</li>
 * </ul>
 */
public final class ResumingSseClient {

    private ResumingSseClient() {
    }

    /** Follows the stream with the {@linkplain FollowOptions#defaults() default options}. */
    public static Multi<SseEvent> follow(Vertx vertx, URI url) {
        return follow(vertx, url, FollowOptions.defaults());
    }

    /**
     * @param vertx the Vert.x instance whose HTTP client and timers to use (in Quarkus, inject it)
     * @param url an absolute {@code http} or {@code https} URL
     * @param options the last event id to start from, delays and headers
     * @return a stream of the events, lazy: each subscription starts following
     * @throws IllegalArgumentException if the URL is not absolute http(s)
     */
    public static Multi<SseEvent> follow(Vertx vertx, URI url, FollowOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(options, "options");
        if (url == null || !url.isAbsolute() || url.getHost() == null
                || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("ResumingSseClient.follow needs an absolute http(s) URL, got " + url);
        }
        return Multi.createFrom().emitter(emitter -> new Follower(vertx, url, options, emitter).start(),
                BackPressureStrategy.BUFFER);
    }
}
