package io.quarkiverse.ssechannels.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The demo application's HTTP contract, through raw SSE streams.
 */
@QuarkusTest
public class DemoContractTest {

    static final Duration WAIT = Duration.ofSeconds(15);

    static URI uri(String path) {
        return URI.create("http://localhost:" + RestAssured.port + path);
    }

    static String post(String path, String body) {
        return given().body(body).contentType("text/plain").post(path).then().statusCode(202).extract().asString();
    }

    static void awaitCount(String path, int count) {
        Awaitility.await().atMost(WAIT).until(() -> given().get(path).then().extract().as(Integer.class) == count);
    }

    @Test
    void pageShowsTheWeatherStream() {
        given().get("/").then().statusCode(200)
                .body(containsString("<title>Weather</title>"))
                .body(containsString("id=\"status\""))
                .body(containsString("<ul id=\"events\">"))
                .body(containsString("new EventSource('/sse/weather')"));
    }

    @Test
    void singleConnectionSaysOkThenOneEvent() {
        try (SseClient client = SseClient.connect(uri("/sse"))) {
            assertEquals(200, client.status());
            assertEquals("text/event-stream", client.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(client.headers().firstValue("Cache-Control").orElseThrow().contains("no-cache"));
            assertEquals("no", client.headers().firstValue("X-Accel-Buffering").orElseThrow());
            assertTrue(client.headers().firstValue("Connection").isEmpty());
            SseClient.Frame ok = client.next(WAIT);
            assertEquals(List.of("OK"), ok.comments().stream().map(String::strip).toList());
            SseClient.Frame event = client.nextEvent(WAIT);
            assertEquals("my-event", event.event());
            assertEquals("{}", event.data());
            assertEquals("id", event.id());
        }
    }

    /** The weather stream, from a resource method, a Vert.x route and a returned Multi: the same contract. */
    @ParameterizedTest
    @ValueSource(strings = { "/sse/weather", "/route/sse/weather", "/multi/sse/weather" })
    void weatherBroadcastsWithAssignedOrGivenIds(String stream) {
        try (SseClient a = SseClient.connect(uri(stream)); SseClient b = SseClient.connect(uri(stream))) {
            assertEquals(200, a.status());
            assertEquals("text/event-stream", a.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("no", a.headers().firstValue("X-Accel-Buffering").orElseThrow());
            assertEquals(List.of("OK"), a.next(WAIT).comments().stream().map(String::strip).toList());
            awaitCount("/weather/connections", 2);
            String id = post("/weather", "sunny\nwarm");
            for (SseClient client : List.of(a, b)) {
                SseClient.Frame event = client.nextEvent(WAIT);
                assertEquals("weather-event", event.event());
                assertEquals("sunny\nwarm", event.data());
                assertEquals(id, event.id());
            }
            assertEquals("mine", given().body("rain").post("/weather?event=alert&id=mine").then().statusCode(202)
                    .extract().asString());
            SseClient.Frame alert = a.nextEvent(WAIT);
            assertEquals("alert", alert.event());
            assertEquals("mine", alert.id());
            assertEquals("rain", alert.data());
        }
        awaitCount("/weather/connections", 0);
    }

    @Test
    void invalidInputIsRefusedAndNothingIsSent() {
        try (SseClient client = SseClient.connect(uri("/sse/weather"))) {
            awaitCount("/weather/connections", 1);
            given().queryParam("id", "a\nb").body("x").post("/weather").then().statusCode(400)
                    .body(containsString("[id]"));
            given().queryParam("event", "a\rb").body("x").post("/weather").then().statusCode(400)
                    .body(containsString("[event]"));
            given().queryParam("id", "a\u0000b").body("x").post("/weather").then().statusCode(400)
                    .body(containsString("control characters"));
            given().queryParam("id", "a\tb").body("x").post("/weather").then().statusCode(400)
                    .body(containsString("[a\\u0009b]"));
            String id = post("/weather", "valid");
            SseClient.Frame next = client.nextEvent(WAIT);
            assertEquals("valid", next.data(), "the refused messages were not sent");
            assertEquals(id, next.id());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/sse/weather", "/route/sse/weather", "/multi/sse/weather" })
    void reconnectionReplaysWhatWasMissed(String stream) {
        String lastSeen;
        try (SseClient client = SseClient.connect(uri(stream))) {
            awaitCount("/weather/connections", 1);
            lastSeen = post("/weather", "before");
            assertEquals("before", client.nextEvent(WAIT).data());
        }
        awaitCount("/weather/connections", 0);
        post("/weather", "missed-1");
        post("/weather", "missed-2");
        try (SseClient client = SseClient.connect(uri(stream), Map.of("Last-Event-ID", lastSeen))) {
            assertEquals(List.of("missed-1", "missed-2"),
                    client.nextEvents(2, WAIT).stream().map(SseClient.Frame::data).toList());
        }
    }

    @Test
    void newsIsItsOwnChannel() {
        try (SseClient client = SseClient.connect(uri("/sse/news"))) {
            awaitCount("/news/connections", 1);
            String id = post("/news", "headline");
            SseClient.Frame event = client.nextEvent(WAIT);
            assertEquals("news-event", event.event());
            assertEquals(id, event.id());
        }
    }

    @Test
    void feedJoinsBothChannelsAndReplaysInPublishOrder() {
        String lastSeen;
        try (SseClient client = SseClient.connect(uri("/sse/feed"))) {
            awaitCount("/weather/connections", 1);
            awaitCount("/news/connections", 1);
            post("/weather", "w1");
            post("/news", "n1");
            List<SseClient.Frame> seen = client.nextEvents(2, WAIT);
            assertEquals(List.of("w1", "n1"), seen.stream().map(SseClient.Frame::data).toList());
            lastSeen = seen.get(1).lastEventId();
        }
        awaitCount("/weather/connections", 0);
        awaitCount("/news/connections", 0);
        post("/news", "n2");
        post("/weather", "w2");
        try (SseClient client = SseClient.connect(uri("/sse/feed"), Map.of("Last-Event-ID", lastSeen))) {
            assertEquals(List.of("n2", "w2"), client.nextEvents(2, WAIT).stream().map(SseClient.Frame::data).toList());
        }
    }

    @Test
    void feedTellsAClientThatResumedWithAGap() {
        awaitCount("/weather/connections", 0);
        post("/weather", "held");
        try (SseClient client = SseClient.connect(uri("/sse/feed"), Map.of("Last-Event-ID", "from-another-life"))) {
            SseClient.Frame gap = client.nextEvent(WAIT);
            assertEquals("gap", gap.event(), client.raw());
            List<String> replayed = new ArrayList<>();
            while (!replayed.contains("held")) {
                replayed.add(client.nextEvent(WAIT).data());
            }
        }
    }

    @Test
    void usersHaveTemporaryChannels() {
        given().body("x").post("/user/nobody").then().statusCode(404);
        try (SseClient client = SseClient.connect(uri("/sse/user/bob"))) {
            Awaitility.await().atMost(WAIT).until(() -> given().get("/users").then().extract().jsonPath()
                    .getList("$", String.class).contains("bob"));
            String id = post("/user/bob", "hello bob");
            SseClient.Frame event = client.nextEvent(WAIT);
            assertEquals("user-event", event.event());
            assertEquals("hello bob", event.data());
            assertEquals(id, event.id());
            given().get("/users").then().body("$", hasItem("bob")).body("$", not(hasItem("nobody")));
        }
    }
}
