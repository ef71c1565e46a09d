package io.quarkiverse.ssechannels.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The client against a real HTTP server on a free port, scripted per path: what it sends, how it reconnects, when it
 * stops, and that demand reaches the socket. The client against the extension's own demo is tested in the
 * integration tests.
 */
class ResumingSseClientTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final FollowOptions FAST = FollowOptions.defaults().withRetry(Duration.ofMillis(20));

    private static Vertx vertx;
    private static HttpServer server;
    private static final Map<String, BiConsumer<HttpServerRequest, Integer>> SCRIPTS = new ConcurrentHashMap<>();
    private static final Map<String, List<HttpServerRequest>> REQUESTS = new ConcurrentHashMap<>();
    private static final Map<String, List<Long>> TIMES = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            List<HttpServerRequest> seen = REQUESTS.computeIfAbsent(request.path(), p -> new CopyOnWriteArrayList<>());
            seen.add(request);
            TIMES.computeIfAbsent(request.path(), p -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            SCRIPTS.getOrDefault(request.path(), (r, n) -> r.response().setStatusCode(404).end())
                    .accept(request, seen.size());
        }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static URI uri(String path) {
        return URI.create("http://localhost:" + server.actualPort() + path);
    }

    private static HttpServerResponse stream(HttpServerRequest request) {
        return request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
    }

    private static List<String> lastEventIds(String path) {
        List<String> ids = new ArrayList<>();
        REQUESTS.get(path).forEach(r -> ids.add(r.getHeader("Last-Event-ID")));
        return ids;
    }

    /** Follows the path on the test server, the subscriber asking for {@code demand} events. */
    private static AssertSubscriber<SseEvent> follow(String path, FollowOptions options, long demand) {
        return ResumingSseClient.follow(vertx, uri(path), options).subscribe()
                .withSubscriber(AssertSubscriber.create(demand));
    }

    private static List<String> data(AssertSubscriber<SseEvent> events) {
        return events.getItems().stream().map(SseEvent::data).toList();
    }

    /** @return the milliseconds between one request to the path and the next */
    private static List<Long> gapsMillis(String path) {
        List<Long> times = TIMES.get(path);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(times.get(i) - times.get(i - 1)));
        }
        return gaps;
    }

    @Test
    void resumesFromTheLastEventIdAfterTheServersRetryDelayUntilToldToStop() {
        SCRIPTS.put("/resume", (request, n) -> {
            switch (n) {
                case 1 -> stream(request).end("retry: 30\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n");
                // a block the stream breaks off: not dispatched, its id not taken
                case 2 -> stream(request).end("id: 3\ndata: three\n\nid: 4\ndata: cut");
                case 3 -> stream(request).end("id: 4\ndata: four\n\n");
                default -> request.response().setStatusCode(204).end();
            }
        });
        // a retry delay of its own far longer than the server's, which the server's replaces
        FollowOptions options = FollowOptions.defaults().withRetry(Duration.ofSeconds(10)).withLastEventId("0")
                .withHeaders(Map.of("Authorization", "Bearer x"));
        AssertSubscriber<SseEvent> events = follow("/resume", options, Long.MAX_VALUE);
        events.awaitCompletion(WAIT);
        assertEquals(List.of("one", "two", "three", "four"), data(events));
        assertEquals(List.of("1", "2", "3", "4"), events.getItems().stream().map(SseEvent::id).toList());
        assertEquals(List.of("0", "2", "3", "4"), lastEventIds("/resume"));
        HttpServerRequest first = REQUESTS.get("/resume").get(0);
        assertEquals("text/event-stream", first.getHeader("Accept"));
        assertEquals("no-cache", first.getHeader("Cache-Control"));
        assertEquals("Bearer x", first.getHeader("Authorization"));
        List<Long> gaps = gapsMillis("/resume");
        assertTrue(gaps.stream().allMatch(gap -> gap >= 30 && gap < 5000),
                "the server asked for 30 ms between connections: " + gaps);
    }

    /** The documentation's example: it resumes from the id it saved, and gets the events after it with their ids. */
    @Test
    void theDocumentedFollowerResumesFromItsSavedId() {
        SCRIPTS.put("/weather", (request, n) -> {
            if ("41".equals(request.getHeader("Last-Event-ID"))) {
                stream(request).end("id: 42\ndata: sunny\n\n");
            } else {
                request.response().setStatusCode(204).end();
            }
        });
        WeatherFollower follower = new WeatherFollower();
        follower.follow(vertx, uri("/weather"), "41");
        Awaitility.await().atMost(WAIT).until(() -> !follower.forecasts.isEmpty());
        assertEquals(List.of("42:sunny"), follower.forecasts);
    }

    @Test
    void unavailableAnswersAreRetriedAfterRetryAfter() {
        SCRIPTS.put("/busy", (request, n) -> {
            if (n <= 2) {
                request.response().setStatusCode(n == 1 ? 503 : 429).putHeader("Retry-After", "1").end("busy");
            } else if (n == 3) {
                stream(request).end("id: 9\ndata: served\n\n");
            } else {
                request.response().setStatusCode(204).end();
            }
        });
        AssertSubscriber<SseEvent> events = follow("/busy", FAST, Long.MAX_VALUE);
        events.awaitCompletion(WAIT);
        assertEquals(List.of("served"), data(events));
        List<Long> gaps = gapsMillis("/busy");
        assertTrue(gaps.get(0) >= 1000 && gaps.get(1) >= 1000, "Retry-After: 1 is obeyed: " + gaps);
    }

    /** Failed attempts back off from 250 ms, doubling, though the retry delay is 20 ms. */
    @Test
    void failingAttemptsBackOff() {
        assertBacksOff("/failing", request -> request.response().setStatusCode(500).end());
    }

    /**
     * Connections that end at once without an event count as failures, even when the server asks for no delay: the
     * attempts back off instead of spinning.
     */
    @Test
    void streamsThatEndAtOnceWithoutAnEventBackOff() {
        assertBacksOff("/empty", request -> stream(request).end("retry: 0\n\n"));
    }

    /** Four attempts answered so, then 204: each waited at least 250 ms, doubling. */
    private static void assertBacksOff(String path, Consumer<HttpServerRequest> failing) {
        SCRIPTS.put(path, (request, n) -> {
            if (n <= 4) {
                failing.accept(request);
            } else {
                request.response().setStatusCode(204).end();
            }
        });
        AssertSubscriber<SseEvent> events = follow(path, FAST, Long.MAX_VALUE);
        events.awaitCompletion(WAIT);
        List<Long> gaps = gapsMillis(path);
        for (int i = 0; i < gaps.size(); i++) {
            long least = 250L << i;
            assertTrue(gaps.get(i) >= least, "attempt " + (i + 2) + " waited at least " + least + " ms: " + gaps);
        }
    }

    /** A connection broken in the middle of a block: the block is not taken, and the client resumes before it. */
    @Test
    void aBrokenConnectionResumesFromTheLastWholeEvent() {
        SCRIPTS.put("/broken", (request, n) -> {
            if (n == 1) {
                stream(request).write("id: 1\ndata: one\n\nid: 2\ndata: tw", v -> request.connection().close());
            } else if (n == 2) {
                stream(request).end("id: 2\ndata: two\n\n");
            } else {
                request.response().setStatusCode(204).end();
            }
        });
        AssertSubscriber<SseEvent> events = follow("/broken", FAST, Long.MAX_VALUE);
        events.awaitCompletion(WAIT);
        assertEquals(List.of("one", "two"), data(events));
        assertEquals(List.of("1", "2"), lastEventIds("/broken").subList(1, 3));
    }

    /** A connection that goes silent without closing is dropped after the idle timeout, and the stream resumed. */
    @Test
    void aSilentConnectionIsDroppedAndResumed() {
        SCRIPTS.put("/silent", (request, n) -> {
            if (n == 1) {
                stream(request).write("id: 5\ndata: then silence\n\n");
            } else if (n == 2) {
                stream(request).end("id: 6\ndata: again\n\n");
            } else {
                request.response().setStatusCode(204).end();
            }
        });
        AssertSubscriber<SseEvent> events = follow("/silent", FAST.withIdleTimeout(Duration.ofMillis(300)),
                Long.MAX_VALUE);
        events.awaitCompletion(WAIT);
        assertEquals(List.of("then silence", "again"), data(events));
        assertEquals("5", lastEventIds("/silent").get(1));
    }

    /** While the subscriber asks for nothing, a stream that ended is not resumed: that would only pile up events. */
    @Test
    void aReconnectionWaitsForDemand() {
        // a connection that breaks: unlike its end, Vert.x reports that at once, even while the client does not read
        SCRIPTS.put("/gated", (request, n) -> stream(request).write("id: " + n + "\ndata: " + n + "\n\n",
                v -> request.connection().close()));
        AssertSubscriber<SseEvent> events = follow("/gated", FAST, 1);
        events.awaitItems(1, WAIT);
        Awaitility.await().during(Duration.ofMillis(500)).atMost(WAIT)
                .until(() -> REQUESTS.get("/gated").size() == 1);
        events.request(1);
        events.awaitItems(2, WAIT);
        assertEquals(List.of("1", "2"), data(events));
        events.cancel();
    }

    /** A server's id that a header cannot carry back: resuming from it is impossible, and the stream says so. */
    @Test
    void anIdThatCannotBeSentBackFailsTheStream() {
        SCRIPTS.put("/control", (request, n) -> stream(request).end("id: a\u0001b\ndata: x\n\n"));
        AssertSubscriber<SseEvent> events = follow("/control", FAST, Long.MAX_VALUE);
        events.awaitFailure(WAIT);
        assertEquals(List.of("x"), data(events));
        assertTrue(events.getFailure().getMessage().contains("control characters"), events.getFailure().getMessage());
        assertEquals(1, REQUESTS.get("/control").size());
    }

    @Test
    void redirectsAreFollowed() {
        SCRIPTS.put("/moved", (request, n) -> request.response().setStatusCode(307)
                .putHeader("Location", uri("/landing").toString()).end());
        SCRIPTS.put("/landing", (request, n) -> {
            if (n == 1) {
                stream(request).end("id: 1\ndata: landed\n\n");
            } else {
                request.response().setStatusCode(204).end();
            }
        });
        AssertSubscriber<SseEvent> events = follow("/moved", FAST, Long.MAX_VALUE);
        events.awaitCompletion(WAIT);
        assertEquals(List.of("landed"), data(events));
        assertEquals("1", lastEventIds("/landing").get(1), "the id goes along to where the redirect leads");
    }

    @Test
    void answersThatReconnectingCannotMendFailTheStream() {
        SCRIPTS.put("/html", (request, n) -> request.response().putHeader("Content-Type", "text/html").end("<p>"));
        for (String path : List.of("/nowhere", "/html")) {
            AssertSubscriber<SseEvent> events = follow(path, FAST, Long.MAX_VALUE);
            events.awaitFailure(WAIT);
            SseClientException failure = assertInstanceOf(SseClientException.class, events.getFailure());
            assertEquals(path.equals("/html") ? 200 : 404, failure.status(), failure.getMessage());
            Awaitility.await().during(Duration.ofMillis(500)).atMost(WAIT)
                    .until(() -> REQUESTS.get(path).size() == 1);
        }
    }

    @Test
    void cancellingClosesTheConnectionAndStopsReconnecting() {
        AtomicBoolean closed = new AtomicBoolean();
        SCRIPTS.put("/endless", (request, n) -> {
            request.connection().closeHandler(v -> closed.set(true));
            stream(request).write("data: first\n\n");
        });
        AssertSubscriber<SseEvent> events = follow("/endless", FAST, Long.MAX_VALUE);
        events.awaitItems(1, WAIT);
        events.cancel();
        Awaitility.await().atMost(WAIT).untilTrue(closed);
        Awaitility.await().during(Duration.ofMillis(300)).atMost(WAIT)
                .until(() -> REQUESTS.get("/endless").size() == 1);
    }

    /**
     * A subscriber that requests a few events and then nothing: the client stops reading, so the server's writes back
     * up long before it wrote the whole stream; once the subscriber asks for the rest, every event arrives, in order.
     */
    @Test
    void demandReachesTheSocket() {
        int total = 10_000;
        String padding = "x".repeat(4000);
        AtomicLong written = new AtomicLong();
        AtomicBoolean stalled = new AtomicBoolean();
        SCRIPTS.put("/flood", (request, n) -> {
            HttpServerResponse response = stream(request);
            AtomicInteger next = new AtomicInteger();
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (next.get() < total) {
                    if (response.writeQueueFull()) {
                        stalled.set(true);
                        response.drainHandler(v -> {
                            stalled.set(false);
                            pump[0].run();
                        });
                        return;
                    }
                    int i = next.getAndIncrement();
                    response.write("id: " + i + "\ndata: " + i + " " + padding + "\n\n");
                    written.incrementAndGet();
                }
                response.end();
            };
            pump[0].run();
        });
        AssertSubscriber<SseEvent> events = follow("/flood", FAST, 5);
        events.awaitItems(5, WAIT);
        // the server makes no progress for a second: not even a slow reader's
        AtomicLong seen = new AtomicLong(-1);
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(WAIT)
                .until(() -> stalled.get() && written.get() < total && written.get() == seen.getAndSet(written.get()));
        assertEquals(5, events.getItems().size(), "nothing beyond the demand");
        events.request(Long.MAX_VALUE);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> events.getItems().size() >= total);
        List<SseEvent> items = events.getItems();
        for (int i = 0; i < total; i++) {
            String data = items.get(i).data();
            assertEquals(String.valueOf(i), data.substring(0, data.indexOf(' ')), "in order, none twice");
        }
        events.cancel();
    }

    @Test
    void badArgumentsAreRefusedWithAnExplanation() {
        IllegalArgumentException relative = assertThrows(IllegalArgumentException.class,
                () -> ResumingSseClient.follow(vertx, URI.create("/sse/weather")));
        assertTrue(relative.getMessage().contains("absolute http(s) URL"), relative.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ResumingSseClient.follow(vertx, URI.create("ftp://host/x")));
        IllegalArgumentException backoff = assertThrows(IllegalArgumentException.class,
                () -> FollowOptions.defaults().withMaxBackoff(Duration.ofSeconds(1)));
        assertTrue(backoff.getMessage().contains("retry <= maxBackoff"), backoff.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FollowOptions.defaults().withRetry(Duration.ofMillis(-1)));
        assertEquals(Duration.ofMinutes(2), FollowOptions.defaults().withRetry(Duration.ofMinutes(2)).maxBackoff(),
                "a retry delay above the maximum backoff raises it");
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
                () -> FollowOptions.defaults().withHeaders(Map.of("Authorization", "Bearer abc\n")));
        assertTrue(header.getMessage().contains("[Authorization] cannot be sent"), header.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FollowOptions.defaults().withHeaders(Map.of("A b", "x")));
        assertThrows(IllegalArgumentException.class, () -> FollowOptions.defaults().withLastEventId("1\r2"));
        assertThrows(IllegalArgumentException.class,
                () -> FollowOptions.defaults().withIdleTimeout(Duration.ofDays(30)));
    }
}
