package io.quarkiverse.ssechannels.client;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * One subscription of {@link ResumingSseClient#follow}: connects, reads, and reconnects until the subscriber cancels
 * or the server says stop. Every field is touched on one Vert.x context only; the subscriber's requests and
 * cancellation, which come from any thread, are moved onto it.
 */
final class Follower {

    private static final System.Logger LOG = System.getLogger(Follower.class.getName());
    /** The shortest base of a backoff: a server asking for {@code retry: 0} must not make failures spin. */
    static final long MIN_FAILURE_DELAY_MILLIS = 250;
    /** A connection that ends sooner than this without an event counts as a failed attempt. */
    static final long HEALTHY_MILLIS = 1000;

    private final Vertx vertx;
    private final Context context;
    private final URI url;
    private final FollowOptions options;
    private final MultiEmitter<? super SseEvent> emitter;
    private final EventStreamParser parser;
    private final HttpClient client;

    private int failures;
    private long timer = -1;
    /** The response being read, {@code null} between connections. */
    private HttpClientResponse response;
    private long connectedAt;
    private boolean dispatched;
    private boolean paused;
    /** A reconnection waits for the subscriber to ask for more: it would only add to what is kept for it. */
    private boolean awaitingDemand;
    private boolean stopped;

    Follower(Vertx vertx, URI url, FollowOptions options, MultiEmitter<? super SseEvent> emitter) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.url = url;
        this.options = options;
        this.emitter = emitter;
        this.parser = new EventStreamParser(options.lastEventId(), this::emit);
        // one connection per stream, closed when the stream ends: nothing to pool
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
                .setIdleTimeout((int) options.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
    }

    void start() {
        emitter.onRequest(n -> context.runOnContext(v -> demanded()));
        emitter.onTermination(() -> context.runOnContext(v -> stop()));
        context.runOnContext(v -> connect());
    }

    private void connect() {
        timer = -1;
        if (stopped) {
            return;
        }
        if (emitter.requested() <= 0) {
            awaitingDemand = true;
            return;
        }
        parser.reconnected();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
                .setFollowRedirects(true)
                .putHeader(HttpHeaders.ACCEPT, "text/event-stream").putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        options.headers().forEach(request::putHeader);
        String last = parser.lastEventId();
        if (last != null) {
            if (!FollowOptions.isHeaderValue(last)) {
                finish(new SseClientException("The stream's last event id [" + last + "] has control characters: it "
                        + "cannot be sent back in a Last-Event-ID header to resume", 200));
                return;
            }
            // as a browser sends it: its UTF-8 bytes, which Netty writes one char per byte
            request.putHeader("Last-Event-ID", new String(last.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1));
        }
        client.request(request).compose(r -> r.send()).onComplete(this::answered);
    }

    private void answered(AsyncResult<HttpClientResponse> result) {
        if (stopped) {
            if (result.succeeded()) {
                result.result().request().reset();
            }
            return;
        }
        if (result.failed()) {
            retryLater("could not connect: " + result.cause(), true, -1);
            return;
        }
        HttpClientResponse r = result.result();
        int status = r.statusCode();
        String type = r.getHeader(HttpHeaders.CONTENT_TYPE);
        if (status == 200 && type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            read(r);
            return;
        }
        // not a stream: its body is of no use, and its connection is not kept
        r.request().reset();
        if (status == 204) {
            finish(null);
        } else if (status == 429 || status >= 500) {
            retryLater("answered " + status, true, retryAfterMillis(r.getHeader(HttpHeaders.RETRY_AFTER)));
        } else {
            finish(new SseClientException("GET " + url + " answered " + status + " with Content-Type [" + type
                    + "], not an event stream to follow", status));
        }
    }

    private void read(HttpClientResponse r) {
        response = r;
        connectedAt = System.nanoTime();
        dispatched = false;
        paused = false;
        r.handler((Buffer chunk) -> {
            if (response == r) {
                try {
                    parser.feed(chunk.getBytes());
                } catch (SseClientException e) {
                    finish(e);
                }
            }
        });
        r.endHandler(v -> {
            if (response == r) {
                response = null;
                retryLater("the server ended the stream", !healthy(), -1);
            }
        });
        r.exceptionHandler(e -> {
            if (response == r) {
                response = null;
                retryLater("the stream broke: " + e, !healthy(), -1);
            }
        });
    }

    /** @return whether the connection that just ended gave an event or lasted: if not, it counts as a failure */
    private boolean healthy() {
        return dispatched || System.nanoTime() - connectedAt >= TimeUnit.MILLISECONDS.toNanos(HEALTHY_MILLIS);
    }

    private void emit(SseEvent event) {
        if (stopped) {
            return;
        }
        dispatched = true;
        failures = 0;
        emitter.emit(event);
        if (emitter.requested() <= 0 && response != null && !paused) {
            // what the rest of this chunk holds is kept for the subscriber; the socket is read again on demand
            paused = true;
            response.pause();
        }
    }

    private void demanded() {
        if (stopped || emitter.requested() <= 0) {
            return;
        }
        if (awaitingDemand) {
            awaitingDemand = false;
            connect();
        } else if (paused && response != null) {
            paused = false;
            response.resume();
        }
    }

    /**
     * @param failed whether the attempt failed (it then backs off), rather than the server ending a stream
     * @param retryAfter the delay the server asked for with Retry-After, in milliseconds, or -1
     */
    private void retryLater(String why, boolean failed, long retryAfter) {
        if (stopped) {
            return;
        }
        Long asked = parser.retry();
        long base = asked != null ? asked : options.retry().toMillis();
        long delay;
        if (failed) {
            long floor = Math.max(base, MIN_FAILURE_DELAY_MILLIS);
            long max = Math.max(floor, options.maxBackoff().toMillis());
            delay = retryAfter >= 0 ? Math.max(retryAfter, MIN_FAILURE_DELAY_MILLIS)
                    : Math.min(max, floor << Math.min(failures, 20));
            failures++;
        } else {
            failures = 0;
            delay = base;
        }
        long jittered = delay + ThreadLocalRandom.current().nextLong(delay / 4 + 1);
        LOG.log(Level.DEBUG, () -> "SSE stream " + url + ": " + why + "; reconnecting in " + jittered
                + " ms from id [" + parser.lastEventId() + "]");
        timer = vertx.setTimer(Math.max(1, jittered), id -> connect());
    }

    /** Completes the stream ({@code failure == null}) or fails it, after letting go of everything. */
    private void finish(Throwable failure) {
        // at once: a subscriber that requests nothing would hold the termination, and with it stop(), back
        stop();
        if (failure == null) {
            emitter.complete();
        } else {
            emitter.fail(failure);
        }
    }

    /** Cancelled by the subscriber, or completed or failed here: no more connections. */
    private void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        HttpClientResponse r = response;
        response = null;
        if (r != null) {
            r.request().reset();
        }
        client.close();
    }

    /** @return a Retry-After in seconds as milliseconds, or -1 if there is none or it is a date */
    private static long retryAfterMillis(String header) {
        if (header == null || header.isEmpty() || !header.chars().allMatch(c -> c >= '0' && c <= '9')
                || header.length() > 9) {
            return -1;
        }
        return Long.parseLong(header) * 1000;
    }
}
