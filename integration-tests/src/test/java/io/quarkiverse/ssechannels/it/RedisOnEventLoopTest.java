package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.testing.RedisServer;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * With the redis backend, what waits for Redis is refused on an event loop, every time and with a message that says
 * what to do, rather than blocking it (or only sometimes, depending on what else is connected); on a worker it works.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisOnEventLoopTest.Redis.class, restrictToAnnotatedClass = true)
public class RedisOnEventLoopTest {

    /** A redis-server on a free port for this test's application, stopped by its PID. */
    public static class Redis implements QuarkusTestResourceLifecycleManager {

        private RedisServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = RedisServer.start(Path.of("target", "app-logs"));
            } catch (Exception e) {
                throw new IllegalStateException("this test needs redis-server (apt-get install redis-server)", e);
            }
            return Map.of("quarkus.sse-channels.backend", "redis", "quarkus.redis.hosts", server.uri());
        }

        @Override
        public void stop() {
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Inject
    @ChannelName("weather")
    Channel weather;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    @Inject
    Vertx vertx;

    @Inject
    @ChannelStore("private")
    TemporaryChannels<String> privateChannels;

    @Test
    void sendingAndListingTemporaryChannelsAreRefusedOnAnEventLoop() throws Exception {
        assertRefused(() -> weather.send(SseMessage.data("x")), "sending to");
        assertRefused(users::keys, "listing the temporary channels of store [users]");
        assertRefused(() -> users.get("nobody-here"), "looking up a temporary channel of store [users]");
    }

    private static final String PUBLISHED = "sse_channels_redis_publish_seconds_count{outcome=\"success\"}";

    /** They work, and each publish to Redis is timed. */
    @Test
    void onAWorkerTheyWork() {
        double published = MetricsTest.metric(PUBLISHED);
        assertTrue(weather.send(SseMessage.data("x")).matches("[0-9a-z]{8}-\\d+"), "an id");
        assertEquals(Set.of(), users.keys());
        assertEquals(published + 1, MetricsTest.metric(PUBLISHED));
    }

    /**
     * The secure reactive route opens the stream on the event loop and joins on a worker: the user's private channel,
     * shared through Redis, delivers; a filtered send is refused, as other instances could not apply the filter.
     */
    @Test
    void theSecureRouteJoinsOnAWorkerAndFilteredSendsAreRefused() {
        Map<String, String> newsroom = SecurityTest.basic("newsroom", "newsroom-password");
        try (SseClient alice = SseClient.connect(uri("/secure/route/sse/me"),
                SecurityTest.basic("alice", "alice-password"))) {
            Awaitility.await().atMost(DemoContractTest.WAIT).until(() -> privateChannels.get("alice")
                    .map(Channel::size).orElse(0) == 1);
            var request = given().body("shared").contentType("text/plain");
            newsroom.forEach(request::header);
            request.post("/secure/user/alice").then().statusCode(202);
            assertEquals("shared", alice.nextEvent(DemoContractTest.WAIT).data(), alice.raw());
        }
        // the extension's own refusal, which the demo's 501 stands in front of
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> weather.send(SseMessage.data("x"), connection -> true));
        assertTrue(refused.getMessage().contains("backend=memory"), refused.getMessage());
        var filtered = given().body("for admins").contentType("text/plain");
        newsroom.forEach(filtered::header);
        filtered.post("/secure/announcements?role=admin").then().statusCode(501)
                .body(containsString("quarkus.sse-channels.backend=memory"));
    }

    /** Redis answers: the readiness check is up, and says which backend it asked. */
    @Test
    void readyWhileRedisAnswers() {
        given().get("/q/health/ready").then().statusCode(200)
                .body(HealthTest.CHECK + ".status", equalTo("UP"))
                .body(HealthTest.CHECK + ".data.backend", equalTo("redis"));
    }

    private void assertRefused(Supplier<?> call, String what) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                call.get();
                thrown.complete(null);
            } catch (RuntimeException e) {
                thrown.complete(e);
            }
        });
        Throwable e = thrown.get(10, TimeUnit.SECONDS);
        assertTrue(e instanceof IllegalStateException && e.getMessage().contains(what)
                && e.getMessage().contains("worker thread"), "refused with a message that says what to do: " + e);
    }
}
