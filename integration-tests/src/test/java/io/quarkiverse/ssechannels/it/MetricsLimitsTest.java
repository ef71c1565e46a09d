package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.WAIT;
import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.quarkiverse.ssechannels.it.MetricsTest.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The reasons a stream is closed for a limit, on {@code /q/metrics}: a full channel ({@code limit}) and a client that
 * stopped reading ({@code slow-consumer}).
 */
@QuarkusTest
@TestProfile(MetricsLimitsTest.Limits.class)
public class MetricsLimitsTest {

    private static final String CLOSED = "sse_channels_connections_closed_total";

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.sse-channels.channels.full.max-connections", "1",
                    "quarkus.sse-channels.max-queued-bytes", "64K",
                    "quarkus.sse-channels.channels.flood.history-size", "0");
        }
    }

    /** Streams that join a channel once opened: one of one place, one that is flooded. */
    @Path("/test/limits")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public static class Joining {

        @Inject
        SseChannels sse;

        @GET
        @Path("/{channel: full|flood}")
        public void join(@Context SseEventSink sink, @PathParam("channel") String channel) {
            sse.open(sink).join(sse.channel(channel));
        }
    }

    @Inject
    SseChannels sse;

    @Test
    void aStreamThatJoinsAFullChannelIsClosedForTheLimit() {
        double limit = metric(CLOSED + "{reason=\"limit\"}");
        try (SseClient first = SseClient.connect(uri("/test/limits/full"))) {
            Awaitility.await().atMost(WAIT).until(() -> sse.channel("full").size() == 1);
            try (SseClient second = SseClient.connect(uri("/test/limits/full"))) {
                assertTrue(second.awaitEnd(WAIT), second.raw());
            }
            awaitMetric(CLOSED + "{reason=\"limit\"}", limit + 1);
            assertEquals(1, sse.channel("full").size());
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedAsASlowConsumer() throws Exception {
        double slow = metric(CLOSED + "{reason=\"slow-consumer\"}");
        Channel flood = sse.channel("flood");
        try (Socket stalled = RawHttp.stalledClient(uri("/test/limits/flood"))) {
            Awaitility.await().atMost(WAIT).until(() -> flood.size() == 1);
            String data = "x".repeat(8 * 1024);
            // up to 32 MB, far more than the socket buffers and max-queued-bytes hold
            for (int i = 0; i < 4_000 && flood.size() == 1; i++) {
                flood.send(SseMessage.data(data));
            }
            awaitMetric(CLOSED + "{reason=\"slow-consumer\"}", slow + 1);
            assertEquals(0, flood.size());
        }
    }

    private static void awaitMetric(String nameAndTags, double expected) {
        Awaitility.await(nameAndTags + " reaches " + expected).atMost(WAIT)
                .until(() -> metric(nameAndTags) == expected);
    }
}
