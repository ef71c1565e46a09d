package io.quarkiverse.ssechannels.test.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.ChannelOptions;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A channel that stays empty for its empty timeout closes (a named one drops its history instead); a connection
 * stops the countdown; closed refuses, and stays closed.
 */
public class EmptyTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.channels.\"short\".empty-timeout", "300ms")
            .overrideConfigKey("quarkus.sse-channels.stores.\"racy\".empty-timeout", "1ms");

    @TestHTTPResource("/streams/channels/short")
    URI shortLived;

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("racy")
    TemporaryChannels<String> racy;

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
    void aNamedChannelThatStaysEmptyDropsItsHistoryAndStaysOpen() {
        Channel channel = sse.channel("short");
        AtomicInteger closes = new AtomicInteger();
        channel.onClose(c -> closes.incrementAndGet());
        channel.send(SseMessage.data("kept while someone listens"));
        String lastSeen;
        try (SseClient client = SseClient.connect(shortLived)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.size() == 1);
            // three times the empty timeout: a channel with a member keeps its history all along
            Awaitility.await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(5))
                    .until(() -> channel.historySize() == 1);
            channel.send(SseMessage.data("still here"));
            SseClient.Frame frame = client.nextEvent(Duration.ofSeconds(10));
            assertEquals("still here", frame.data());
            lastSeen = frame.lastEventId();
            // the client will resume from before this one, as if it had missed it
            channel.send(SseMessage.data("missed"));
            assertEquals("missed", client.nextEvent(Duration.ofSeconds(10)).data());
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.historySize() == 0);
        assertFalse(channel.isClosed(), "a named channel lives as long as the application");
        assertEquals(0, closes.get());
        channel.send(SseMessage.data("after the gap"));
        try (SseClient client = SseClient.connect(shortLived, Map.of("Last-Event-ID", lastSeen))) {
            assertEquals("after the gap", client.nextEvent(Duration.ofSeconds(10)).data());
            assertEquals(Resume.GAP, Streams.newest().resume(), "the dropped history is a gap");
        }
    }

    @Test
    void closedChannelRefusesConnectionsAndANamedOneStaysClosed() {
        try (SseClient client = SseClient.connect(URI.create(shortLived.toString().replace("short", "open-one")))) {
            Channel channel = sse.channel("open-one");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.size() == 1);
            Channel other = sse.newChannel("closed", ChannelOptions.of(0, Duration.ZERO));
            other.close();
            Connection connection = Streams.OPENED.values().stream().filter(Connection::isOpen).findFirst()
                    .orElseThrow();
            ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> other.add(connection));
            assertTrue(e.getMessage().contains("[closed]"), e.getMessage());
            channel.close();
            assertEquals(0, channel.size(), "a closed channel lets its connections go");
            assertTrue(connection.isOpen(), "they stay open");
            assertTrue(channel.isClosed());
            assertSame(channel, sse.channel("open-one"), "the name leads to the same, closed, channel");
            assertThrows(ChannelClosedException.class, () -> channel.send(SseMessage.data("too late")));
            AtomicInteger late = new AtomicInteger();
            channel.onClose(c -> late.incrementAndGet());
            assertEquals(1, late.get(), "a listener added after the close runs at once");
        }
    }

    /**
     * The empty timeout decides and closes in one step: a join lands either before it (the channel stays open with
     * its member) or after (the store hands out a new channel), never in a channel that closes under it.
     */
    @Test
    void joiningWhileTheEmptyTimeoutFiresNeverLandsInAClosedChannel() {
        try (SseClient client = SseClient.connect(URI.create(shortLived.toString().replace("channels/short", "open")))) {
            Connection connection = Streams.newest();
            Random random = new Random(42);
            for (int i = 0; i < 3_000; i++) {
                Channel channel = racy.join("key", connection);
                assertFalse(channel.isClosed(), "round " + i + ": joined a closed channel");
                assertSame(channel, racy.get("key").orElse(null), "round " + i);
                assertEquals(1, channel.size(), "round " + i);
                channel.remove(connection);
                // the 1 ms countdown now races the next join
                long until = System.nanoTime() + random.nextInt(1_500_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
