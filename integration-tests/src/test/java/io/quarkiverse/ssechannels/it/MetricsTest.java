package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.WAIT;
import static io.quarkiverse.ssechannels.it.DemoContractTest.awaitCount;
import static io.quarkiverse.ssechannels.it.DemoContractTest.post;
import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The extension's meters on the demo's {@code /q/metrics} (Prometheus): their values follow what clients and
 * publishers do.
 */
@QuarkusTest
public class MetricsTest {

    private static final String CLOSED = "sse_channels_connections_closed_total";

    /** Streams the server ends: at once, or at the end of a short lifetime. */
    @Path("/test/metrics")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public static class Ended {

        @Inject
        SseChannels sse;

        @GET
        @Path("/closed")
        public void closed(@Context SseEventSink sink) {
            sse.open(sink).close();
        }

        @GET
        @Path("/short")
        public void timedOut(@Context SseEventSink sink) {
            sse.open(sink, ConnectionOptions.defaults().withTimeout(Duration.ofMillis(100)));
        }
    }

    @Test
    void streamsTheServerEndsAreCountedByWhy() {
        double server = metric(CLOSED + "{reason=\"server\"}");
        double timeout = metric(CLOSED + "{reason=\"timeout\"}");
        for (String path : List.of("/test/metrics/closed", "/test/metrics/short")) {
            try (SseClient client = SseClient.connect(uri(path))) {
                assertTrue(client.awaitEnd(WAIT), client.raw());
            }
        }
        // at least: streams of earlier tests may end late, but none of them by a timeout or the server's close
        awaitAtLeast(CLOSED + "{reason=\"server\"}", server + 1);
        awaitAtLeast(CLOSED + "{reason=\"timeout\"}", timeout + 1);
    }

    /**
     * Exact for the weather channel, which no other test uses meanwhile; at least for counters of every stream, which
     * streams of earlier tests that end late may move too.
     */
    @Test
    void connectionsAndEventsOfANamedChannelAreCounted() {
        awaitCount("/weather/connections", 0);
        String weather = "{channel=\"weather\"}";
        double published = metric("sse_channels_events_published_total" + weather);
        double delivered = metric("sse_channels_events_delivered_total" + weather);
        double replayed = metric("sse_channels_events_replayed_total" + weather);
        double exact = metric("sse_channels_resumes_total{result=\"exact\"}");
        double opened = metric("sse_channels_connections_opened_total");
        double leftByClients = metric(CLOSED + "{reason=\"client\"}");
        double writes = metric("sse_channels_write_bytes_count");
        double written = metric("sse_channels_write_bytes_sum");
        double queuePeaks = metric("sse_channels_queue_bytes_count");
        String seen;
        try (SseClient a = SseClient.connect(uri("/sse/weather")); SseClient b = SseClient.connect(uri("/sse/weather"))) {
            awaitMetric("sse_channels_connections" + weather, 2);
            seen = post("/weather", "sunny");
            for (SseClient client : List.of(a, b)) {
                assertEquals("sunny", client.nextEvent(WAIT).data(), client.raw());
            }
            awaitMetric("sse_channels_events_published_total" + weather, published + 1);
            awaitMetric("sse_channels_events_delivered_total" + weather, delivered + 2);
        }
        awaitMetric("sse_channels_connections" + weather, 0);
        // each stream that ended reported its writes (several bytes each on average) and its queue's peak
        awaitAtLeast("sse_channels_write_bytes_count", writes + 2);
        awaitAtLeast("sse_channels_write_bytes_sum", written + 2 * "data: sunny\n\n".length());
        awaitAtLeast("sse_channels_queue_bytes_count", queuePeaks + 2);
        awaitAtLeast(CLOSED + "{reason=\"client\"}", leftByClients + 2);
        post("/weather", "missed-1");
        post("/weather", "missed-2");
        try (SseClient back = SseClient.connect(uri("/sse/weather"), Map.of("Last-Event-ID", seen))) {
            assertEquals(List.of("missed-1", "missed-2"),
                    back.nextEvents(2, WAIT).stream().map(SseClient.Frame::data).toList(), back.raw());
            awaitMetric("sse_channels_events_replayed_total" + weather, replayed + 2);
            awaitMetric("sse_channels_resumes_total{result=\"exact\"}", exact + 1);
            awaitAtLeast("sse_channels_connections_opened_total", opened + 3);
        }
    }

    @Inject
    SseChannels sse;

    /**
     * Temporary channels, one per user, and named channels neither configured nor injected (a name made at run time)
     * share one tag value: no series of their own.
     */
    @Test
    void temporaryAndRuntimeNamedChannelsShareOneTag() {
        String temporary = "{channel=\"(other)\"}";
        double published = metric("sse_channels_events_published_total" + temporary);
        // streams of earlier tests in temporary channels are over
        awaitMetric("sse_channels_connections" + temporary, 0);
        double before = 0;
        try (SseClient a = SseClient.connect(uri("/sse/user/metrics-a"));
                SseClient b = SseClient.connect(uri("/sse/user/metrics-b"))) {
            awaitMetric("sse_channels_connections" + temporary, before + 2);
            given().body("hello").contentType("text/plain").post("/user/metrics-a").then().statusCode(202);
            assertEquals("hello", a.nextEvent(WAIT).data(), a.raw());
            sse.channel("made-at-run-time").send(SseMessage.data("x"));
            awaitMetric("sse_channels_events_published_total" + temporary, published + 2);
            String body = given().get("/q/metrics").then().extract().asString();
            assertFalse(body.contains("metrics-a"), "no series of a user's own");
            assertFalse(body.contains("made-at-run-time"), "no series of a channel named at run time");
            assertTrue(metric("sse_channels_connections_open") >= 2, "both streams are open");
        }
        awaitMetric("sse_channels_connections" + temporary, before);
    }

    /** @return the value of the line of {@code /q/metrics} that starts with the name and tags, 0 if none does */
    static double metric(String nameAndTags) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (line.startsWith(nameAndTags + " ")) {
                return Double.parseDouble(line.substring(nameAndTags.length() + 1).trim());
            }
        }
        return 0;
    }

    private static void awaitAtLeast(String nameAndTags, double expected) {
        Awaitility.await(nameAndTags + " reaches at least " + expected).atMost(WAIT)
                .until(() -> metric(nameAndTags) >= expected);
    }

    private static void awaitMetric(String nameAndTags, double expected) {
        Awaitility.await(nameAndTags + " reaches " + expected).atMost(WAIT)
                .until(() -> metric(nameAndTags) == expected);
    }
}
