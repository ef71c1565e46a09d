package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.WAIT;
import static io.quarkiverse.ssechannels.it.DemoContractTest.awaitCount;
import static io.quarkiverse.ssechannels.it.DemoContractTest.post;
import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Every configuration key takes effect; the integration-test twin passes them as -D to the packaged application.
 */
@QuarkusTest
@TestProfile(ConfiguredTest.Profile.class)
public class ConfiguredTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.sse-channels.ping-interval", "200ms",
                    "quarkus.sse-channels.timeout", "1500ms",
                    "quarkus.sse-channels.history-size", "3",
                    "quarkus.sse-channels.empty-timeout", "300ms",
                    "quarkus.sse-channels.channels.\"news\".history-size", "1");
        }
    }

    @Test
    void pingIntervalAndTimeout() {
        try (SseClient client = SseClient.connect(uri("/sse/news"))) {
            client.next(WAIT); // OK
            SseClient.Frame position = client.next(WAIT);
            assertFalse(position.isEvent(), "the stream's position in news, which dispatches nothing");
            assertTrue(position.id() != null && !position.id().isEmpty(), "a position: " + client.raw());
            SseClient.Frame ping = client.next(WAIT);
            assertFalse(ping.isEvent());
            assertEquals(List.of("ping"), ping.comments().stream().map(String::strip).toList());
            assertTrue(client.awaitEnd(WAIT), "the server ends the stream after its timeout");
        }
    }

    @Test
    void historySizesGlobalAndPerChannel() {
        awaitCount("/weather/connections", 0);
        String first = post("/weather", "w0");
        for (int i = 1; i <= 4; i++) {
            post("/weather", "w" + i);
        }
        try (SseClient client = SseClient.connect(uri("/sse/weather"), Map.of("Last-Event-ID", first))) {
            // history 3: w0 and w1 were evicted, everything kept is replayed
            assertEquals(List.of("w2", "w3", "w4"),
                    client.nextEvents(3, WAIT).stream().map(SseClient.Frame::data).toList());
        }
        String news = post("/news", "n0");
        post("/news", "n1");
        post("/news", "n2");
        try (SseClient client = SseClient.connect(uri("/sse/news"), Map.of("Last-Event-ID", news))) {
            assertEquals("n2", client.nextEvent(WAIT).data());
        }
    }

    @Test
    void emptyTimeoutRemovesTemporaryChannels() {
        // a stream lives 1.5 s here (timeout): a check that comes later (a cold client is slow) connects again
        Awaitility.await().atMost(WAIT).until(() -> {
            try (SseClient client = SseClient.connect(uri("/sse/user/carol"))) {
                client.next(WAIT);
                return given().get("/users").then().extract().jsonPath().getList("$", String.class)
                        .contains("carol");
            }
        });
        Awaitility.await().atMost(WAIT).until(() -> !given().get("/users").then().extract().jsonPath()
                .getList("$", String.class).contains("carol"));
        given().body("x").post("/user/carol").then().statusCode(404);
    }
}
