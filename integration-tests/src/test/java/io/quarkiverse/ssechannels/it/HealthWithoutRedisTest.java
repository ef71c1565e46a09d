package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.HealthTest.CHECK;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With the Redis backend and no Redis answering (a free port, nothing listening), the readiness check is down and
 * says why, and a publish is refused and counted among the backend's errors.
 */
@QuarkusTest
@TestProfile(HealthWithoutRedisTest.NoRedis.class)
public class HealthWithoutRedisTest {

    /** A port nothing listens on: taken from the system, then let go. */
    static String nowhere() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "redis://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.sse-channels.backend", "redis", "quarkus.redis.hosts", nowhere(),
                    "quarkus.sse-channels.redis.timeout", "500ms");
        }
    }

    @Test
    void aPublishIsRefusedAndCountedAsABackendError() {
        double before = backendErrors();
        given().body("lost?").contentType("text/plain").post("/weather").then().statusCode(503)
                .header("Retry-After", "1");
        double after = backendErrors();
        assertTrue(after >= before + 1, "counted: " + before + " -> " + after);
    }

    /** @return the errors of the channel's first use (attaching to its shared log) and of publishing, summed */
    private static double backendErrors() {
        String errors = "sse_channels_redis_errors_total{operation=\"%s\"}";
        return MetricsTest.metric(errors.formatted("publish")) + MetricsTest.metric(errors.formatted("attach"));
    }

    @Test
    void notReadyAndSaysWhy() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body(CHECK + ".status", equalTo("DOWN"))
                .body(CHECK + ".data.backend", equalTo("redis"))
                .body(CHECK + ".data.error", containsString("PING"));
    }
}
