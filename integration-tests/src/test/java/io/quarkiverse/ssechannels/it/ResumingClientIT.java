package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.client.FollowOptions;
import io.quarkiverse.ssechannels.client.ResumingSseClient;
import io.quarkiverse.ssechannels.client.SseEvent;
import io.quarkiverse.ssechannels.testing.RedisServer;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;

/**
 * The resuming Java client following the packaged demo's channel while the server ends its streams (their maximum
 * lifetime), cuts a client that stops reading, and restarts: every event published arrives once, in order.
 */
public class ResumingClientIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Quick to come back: a restart's attempts are not left waiting for a long backoff. */
    private static final FollowOptions FAST = FollowOptions.defaults().withRetry(Duration.ofMillis(50))
            .withMaxBackoff(Duration.ofSeconds(1));

    private static Vertx vertx;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Streams that live 700 ms, events published over about three seconds: several reconnections, nothing lost. */
    @Test
    void reconnectionsTheServerForcesLoseNothing() throws Exception {
        try (PackagedApp app = PackagedApp.start("-Dquarkus.sse-channels.timeout=700ms",
                "-Dquarkus.log.category.\"io.quarkiverse.ssechannels\".level=DEBUG")) {
            AssertSubscriber<SseEvent> events = follow(app.uri("/sse/weather"));
            awaitConnections(app, 1);
            List<String> published = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3); i++) {
                published.add(app.post("/weather", "w" + i).strip());
                // paced, so that publishes fall before, during and after reconnections
                Thread.sleep(20);
            }
            awaitAll(events, published.size());
            assertEquals(published, ids(events), received(events));
            List<String> data = events.getItems().stream().map(SseEvent::data).toList();
            for (int i = 0; i < data.size(); i++) {
                assertEquals("w" + i, data.get(i), received(events));
            }
            long ended = app.output().stream().filter(l -> l.contains("closed by the server")).count();
            assertTrue(ended >= 2, "the server ended " + ended + " streams: it must have ended several");
            events.cancel();
        }
    }

    /**
     * A subscriber that stops requesting: the client stops reading, the server cuts the stream as a slow consumer,
     * and once the subscriber asks again, the client resumes where it was.
     */
    @Test
    void aSubscriberThatStopsRequestingIsCutAndResumesWhereItWas() throws Exception {
        try (PackagedApp app = PackagedApp.start("-Dquarkus.sse-channels.max-queued-bytes=64K",
                "-Dquarkus.sse-channels.history-size=2000",
                "-Dquarkus.log.category.\"io.quarkiverse.ssechannels\".level=DEBUG")) {
            AssertSubscriber<SseEvent> events = ResumingSseClient.follow(vertx, app.uri("/sse/weather"), FAST)
                    .subscribe().withSubscriber(AssertSubscriber.create(3));
            awaitConnections(app, 1);
            String padding = "x".repeat(8000);
            int total = 1500;
            List<String> published = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                published.add(app.post("/weather", i + " " + padding).strip());
            }
            Awaitility.await().atMost(WAIT).until(() -> app.printed("the client stopped reading"));
            assertEquals(3, events.getItems().size(), "no more than asked for");
            events.request(Long.MAX_VALUE);
            awaitAll(events, total);
            assertEquals(published, ids(events), "in order, none twice, none lost");
            events.cancel();
        }
    }

    /**
     * Two instances sharing the channel through Redis; the one the client follows restarts on the same port, while
     * the other publishes: the client comes back to it and gets what it missed from the shared history.
     */
    @Test
    void anInstanceThatRestartsLosesTheClientNothing() throws Exception {
        assertTrue(RedisServer.installed(), "this test needs redis-server on the PATH (apt-get install redis-server)");
        try (RedisServer redis = RedisServer.start(Path.of("target", "app-logs"))) {
            int port = freePort();
            Supplier<String[]> shared = () -> new String[] { "-Dquarkus.sse-channels.backend=redis",
                    "-Dquarkus.redis.hosts=" + redis.uri(), "-Dquarkus.http.port=" + port };
            PackagedApp followed = PackagedApp.start(shared.get());
            try (PackagedApp other = PackagedApp.start("-Dquarkus.sse-channels.backend=redis",
                    "-Dquarkus.redis.hosts=" + redis.uri())) {
                AssertSubscriber<SseEvent> events = follow(URI.create("http://localhost:" + port + "/sse/weather"));
                awaitConnections(followed, 1);
                List<String> published = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    published.add(followed.post("/weather", "before-" + i).strip());
                }
                awaitAll(events, 3);
                followed.stop();
                for (int i = 0; i < 3; i++) {
                    published.add(other.post("/weather", "while-down-" + i).strip());
                }
                followed = PackagedApp.start(shared.get());
                awaitConnections(followed, 1);
                for (int i = 0; i < 3; i++) {
                    published.add(other.post("/weather", "after-" + i).strip());
                }
                awaitAll(events, 9);
                assertEquals(published, ids(events), received(events));
                events.cancel();
                assertEquals(List.of(), other.complaints(), "see " + other.log());
            } finally {
                followed.close();
            }
            assertEquals(List.of(), followed.complaints(), "see " + followed.log());
        }
    }

    private static AssertSubscriber<SseEvent> follow(URI uri) {
        return ResumingSseClient.follow(vertx, uri, FAST).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    }

    private static void awaitConnections(PackagedApp app, int n) {
        Awaitility.await().atMost(WAIT).until(() -> app.get("/weather/connections").equals(String.valueOf(n)));
    }

    private static void awaitAll(AssertSubscriber<SseEvent> events, int n) {
        try {
            Awaitility.await().atMost(WAIT).until(() -> events.getItems().size() >= n || events.getFailure() != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("expected " + n + " events; " + received(events), e);
        }
        assertEquals(null, events.getFailure(), received(events));
    }

    private static List<String> ids(AssertSubscriber<SseEvent> events) {
        return events.getItems().stream().map(SseEvent::id).toList();
    }

    private static String received(AssertSubscriber<SseEvent> events) {
        List<SseEvent> items = events.getItems();
        return items.size() + " events received: " + items.stream()
                .map(e -> e.id() + "=" + (e.data().length() > 20 ? e.data().substring(0, 20) + "..." : e.data()))
                .toList();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
