package io.quarkiverse.ssechannels.test.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * {@code write-delay} reaches the connections: an event sent from a thread that is not the connection's event loop
 * is written no sooner than the delay after it was sent, unless a run was about to write that connection anyway.
 */
public class WriteDelayTest {

    private static final Duration DELAY = Duration.ofSeconds(1);
    private static final int ROUNDS = 3;

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.write-delay", DELAY.toMillis() + "ms");

    @TestHTTPResource("/streams/channels/delayed")
    URI stream;

    @Inject
    SseChannels sse;

    @Test
    void anEventSentFromAnotherThreadWaitsTheDelay() {
        Channel channel = sse.channel("delayed");
        try (SseClient client = SseClient.connect(stream)) {
            Streams.awaitSize(channel, 1);
            // the frames the stream opened with come in a run the open queued: an event sent before it, rides it
            client.next(Duration.ofSeconds(10));
            List<Long> waits = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                long sent = System.nanoTime();
                channel.send(SseMessage.data("late " + round));
                SseClient.Frame frame = client.nextEvent(Duration.ofSeconds(10));
                waits.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                assertEquals("late " + round, frame.data(), client.raw());
            }
            // a send can come while the run that wrote the previous event is still finishing (nothing on the wire
            // tells when it has), and its event then goes out in the next run, at once: one round may be quick
            long waited = waits.stream().filter(w -> w >= DELAY.toMillis()).count();
            assertTrue(waited >= ROUNDS - 1, "waits in ms: " + waits);
        }
    }
}
