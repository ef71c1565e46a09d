package io.quarkiverse.ssechannels.test.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.ChannelOptions;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A channel that stays empty for its empty timeout closes; a connection stops the countdown; closed refuses.
 */
public class EmptyTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.channels.\"short\".empty-timeout", "300ms");

    @TestHTTPResource("/streams/channels/short")
    URI shortLived;

    @Inject
    SseChannels sse;

    @Test
    void emptyChannelClosesAndTellsItsListeners() {
        Channel channel = sse.newChannel("lonely", ChannelOptions.of(10, Duration.ofMillis(200)));
        AtomicInteger closes = new AtomicInteger();
        channel.onClose(c -> closes.incrementAndGet());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(channel::isClosed);
        assertEquals(1, closes.get());
        assertThrows(ChannelClosedException.class, () -> channel.send(SseMessage.data("x")));
    }

    @Test
    void aConnectionCancelsTheCountdownAndLeavingRestartsIt() {
        Channel channel = sse.channel("short");
        AtomicInteger closes = new AtomicInteger();
        channel.onClose(c -> closes.incrementAndGet());
        channel.send(SseMessage.data("kept until the channel closes"));
        try (SseClient client = SseClient.connect(shortLived)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.size() == 1);
            // three times the empty timeout: a channel with a member stays open all along
            Awaitility.await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(5))
                    .until(() -> closes.get() == 0);
            channel.send(SseMessage.data("still here"));
            assertEquals("still here", client.nextEvent(Duration.ofSeconds(10)).data());
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> closes.get() == 1);
        // the injected handle now leads to a fresh channel of that name, with an empty history
        assertFalse(channel.isClosed());
        assertEquals(0, channel.historySize());
        channel.send(SseMessage.data("new life"));
        assertEquals(1, channel.historySize());
    }

    @Test
    void closedChannelRefusesConnections() {
        try (SseClient client = SseClient.connect(URI.create(shortLived.toString().replace("short", "open-one")))) {
            Channel channel = sse.channel("open-one");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.size() == 1);
            Channel other = sse.newChannel("closed", ChannelOptions.of(0, Duration.ZERO));
            other.close();
            io.quarkiverse.ssechannels.Connection connection = Streams.OPENED.values().stream()
                    .filter(io.quarkiverse.ssechannels.Connection::isOpen).findFirst().orElseThrow();
            ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> other.add(connection));
            assertTrue(e.getMessage().contains("[closed]"), e.getMessage());
            channel.close();
            assertEquals(0, channel.size(), "a closed channel lets its connections go");
            assertTrue(connection.isOpen(), "they stay open");
        }
    }
}
