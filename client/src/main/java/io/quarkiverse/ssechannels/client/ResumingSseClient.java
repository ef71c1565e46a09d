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
 * reconnecting.</li>
 * <li>Demand reaches the socket: while the subscriber requests nothing, the connection stops reading (after at most
 * the events of one chunk), so the server's own flow control applies; nothing is dropped.</li>
 * <li>Attempts that fail (no connection, a reset, a {@code 5xx} or {@code 429} status) back off: the delay doubles up
 * to {@link FollowOptions#maxBackoff()}, with up to a quarter more of random jitter, so that clients of a restarted
 * server do not all come back at once; a {@code Retry-After} header is obeyed. A stream the server ends cleanly is
 * resumed after its {@code retry:} delay (plus jitter) without backing off.</li>
 * <li>The stream completes when the server answers {@code 204 No Content} (the SSE way of saying "stop"), and fails
 * with {@link SseClientException} for an answer that reconnecting cannot mend: another {@code 4xx}, or a response
 * that is not {@code text/event-stream}.</li>
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
