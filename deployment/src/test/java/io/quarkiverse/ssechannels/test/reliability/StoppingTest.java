package io.quarkiverse.ssechannels.test.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.runtime.StreamsShutdownListener;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Clients that come back while the application stops, after its channels closed and before its HTTP server did:
 * each gets a stream that ends at once with the shutdown's retry hint, and nothing is logged loudly (before, a
 * join of a closed channel failed the request with a stack trace).
 */
public class StoppingTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.shutdown-retry", "3s")
            .setLogRecordPredicate(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(records -> assertEquals(List.of(), records.stream()
                    .map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(), "nothing logged loudly"));

    @TestHTTPResource("/streams")
    URI streams;

    @Inject
    SseChannels sse;

    @Test
    void aClientThatComesBackWhileTheApplicationStopsIsToldWhenToRetry() {
        try (SseClient before = SseClient.connect(URI.create(streams + "/channels/w"))) {
            Streams.awaitSize(sse.channel("w"), 1);
            // what Quarkus does first when the application stops
            new StreamsShutdownListener().preShutdown(() -> {
            });
            assertRetryThenEnd(before);
        }
        for (String path : List.of("/channels/w", "/reserved/w", "/user/u", "/channels/w,other")) {
            try (SseClient late = SseClient.connect(URI.create(streams + path))) {
                assertEquals(200, late.status(), path);
                assertRetryThenEnd(late);
            }
        }
    }

    private static void assertRetryThenEnd(SseClient client) {
        assertTrue(client.awaitEnd(Duration.ofSeconds(10)), "the stream ended: " + client.raw());
        assertTrue(client.raw().contains("retry: 3000"), "with the shutdown's retry hint: " + client.raw());
    }
}
