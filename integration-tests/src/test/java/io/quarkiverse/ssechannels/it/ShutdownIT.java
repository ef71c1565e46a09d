package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * Stops the packaged application while clients are connected: every stream ends cleanly with a last retry hint,
 * nothing is logged as an error, and the stop does not wait for the clients.
 */
public class ShutdownIT {

    @Test
    void stopEndsEveryStreamWithARetryHint() throws Exception {
        try (PackagedApp app = PackagedApp.start()) {
            SseClient weather = SseClient.connect(app.uri("/sse/weather"));
            SseClient single = SseClient.connect(app.uri("/sse"));
            weather.next(Duration.ofSeconds(10)); // OK
            weather.next(Duration.ofSeconds(10)); // the position: the connection is in the channel
            single.nextEvent(Duration.ofSeconds(10));

            long stopMillis = app.stop();
            for (SseClient client : List.of(weather, single)) {
                assertTrue(client.awaitEnd(Duration.ofSeconds(20)), "the stream ended");
                SseClient.Frame last = client.drain().stream().reduce((a, b) -> b)
                        .orElseThrow(() -> new AssertionError("no frame after the stop; read: [" + client.raw()
                                + "]\n" + String.join("\n", app.output())));
                assertEquals(1000L, last.retry(), "the last frame tells the browser when to come back");
            }
            assertTrue(app.output().stream().anyMatch(l -> l.contains("stopped in")),
                    () -> "its log to the end was read: " + app.log());
            assertEquals(List.of(), app.complaints(), () -> "nothing logged above DEBUG: " + app.log());
            System.out.printf("stopped with two open streams in %d ms%n", stopMillis);
        }
    }
}
