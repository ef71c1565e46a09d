package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.HealthTest.CHECK;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

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
 * says why.
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
    void notReadyAndSaysWhy() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body(CHECK + ".status", equalTo("DOWN"))
                .body(CHECK + ".data.backend", equalTo("redis"))
                .body(CHECK + ".data.error", containsString("PING"));
    }
}
