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

import io.netty.channel.EventLoop;
import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.impl.ContextInternal;

/**
 * {@code write-delay} reaches the connections: an event sent from a thread that is not the connection's event loop
 * is written no sooner than the delay after it was sent, when no write to that connection was on its way already.
 */
public class WriteDelayTest {

    private static final Duration DELAY = Duration.ofMillis(100);
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
    void anEventSentFromAnotherThreadWaitsTheDelay() throws Exception {
        Channel channel = sse.channel("delayed");
        try (SseClient client = SseClient.connect(stream)) {
            Streams.awaitSize(channel, 1);
            EventLoop loop = ((ContextInternal) ((HttpServerRequestInternal) Streams.newest().request()).context())
                    .nettyEventLoop();
            client.next(Duration.ofSeconds(10));
            List<Long> waits = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                // once the event loop has finished the run that wrote the last frame, none is queued: a send now
                // queues one
                loop.submit(() -> {
                }).get(10, TimeUnit.SECONDS);
                long sent = System.nanoTime();
                channel.send(SseMessage.data("late " + round));
                SseClient.Frame frame = client.nextEvent(Duration.ofSeconds(10));
                waits.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                assertEquals("late " + round, frame.data(), client.raw());
            }
            assertTrue(waits.stream().allMatch(w -> w >= DELAY.toMillis()), "waits in ms: " + waits);
        }
    }
}
