package io.quarkiverse.ssechannels.test.delivery;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A replay many times larger than max-queued-bytes is read from the history at the pace the client reads: the
 * client is not cut, and the hand-over to live events, published all along, has no gap and no repeat.
 */
public class PacedReplayTest {

    private static final int HELD = 500;
    private static final int DURING = 200;
    private static final String PAYLOAD = "x".repeat(16 * 1024);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Held.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "1M")
            .overrideConfigKey("quarkus.sse-channels.history-size", "1000")
            .overrideConfigKey("quarkus.sse-channels.channels.\"tiny\".history-size", "5")
            .overrideConfigKey("quarkus.sse-channels.channels.\"overtaken\".history-size", "5");

    @TestHTTPResource("/streams/channels/big")
    URI big;

    @TestHTTPResource("/streams/channels/tiny")
    URI tiny;

    @TestHTTPResource("/held")
    URI held;

    /** Joins the channel "overtaken" (5 events of history), holding the catch-up back until the test lets it go. */
    @Path("/held")
    public static class Held {

        static volatile CountDownLatch release = new CountDownLatch(0);
        static volatile Resume resume;

        @Inject
        SseChannels sse;

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void join(@Context SseEventSink sink) {
            sse.open(sink).join(outcome -> {
                resume = outcome;
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }, sse.channel("overtaken"));
        }
    }

    @Inject
    SseChannels sse;

    /**
     * A client told of a gap goes on from what a small history still holds, however fast it is overwritten, rather
     * than being ended again and again.
     */
    @Test
    void aGapResumeIntoASmallBusyHistoryGoesOn() throws Exception {
        Channel channel = sse.channel("tiny");
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            while (publishing.get()) {
                channel.send(SseMessage.data(Integer.toString(published.getAndIncrement())));
                // thousands a second: the 5-event history turns over many times while the client catches up
                LockSupport.parkNanos(50_000);
            }
        });
        for (int i = 0; i < 5; i++) {
            channel.send(SseMessage.data(Integer.toString(published.getAndIncrement())));
        }
        publisher.start();
        try (SseClient client = SseClient.connect(tiny, Map.of("Last-Event-ID", "junk"))) {
            Connection connection = Streams.newest();
            int last = -1;
            for (int i = 0; i < 200; i++) {
                int n = Integer.parseInt(client.nextEvent(Duration.ofSeconds(10)).data());
                assertTrue(n > last, "in order, none twice: " + n + " after " + last);
                last = n;
            }
            assertTrue(connection.isOpen(), "not ended");
            assertEquals(Resume.GAP, connection.resume());
        } finally {
            publishing.set(false);
            publisher.join(10_000);
        }
    }

    /**
     * A client that resumed exactly, and whose next event the history dropped before it could be handed out, is not
     * skipped forward silently: its stream ends, and its next resume is told of the gap.
     */
    @Test
    void anExactResumeThatTheHistoryOvertakesEndsTheStreamAndTheNextResumeIsToldOfTheGap() {
        Channel channel = sse.channel("overtaken");
        List<String> before = Streams.sendAll(channel, "b1", "b2", "b3");
        Held.release = new CountDownLatch(1);
        Held.resume = null;
        try (SseClient client = SseClient.connect(held, Map.of("Last-Event-ID", before.get(0)))) {
            // joined at b1, its catch-up held back: the 5-event history turns over meanwhile
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Held.resume != null);
            assertEquals(Resume.EXACT, Held.resume);
            Streams.sendAll(channel, "c1", "c2", "c3", "c4", "c5", "c6");
            Held.release.countDown();
            assertTrue(client.awaitEnd(Duration.ofSeconds(10)), "the stream ended; read: [" + client.raw() + "]");
            assertEquals(List.of(), client.drain().stream().filter(f -> f.data() != null).toList(),
                    "nothing handed out past the gap");
        }
        Held.resume = null;
        try (SseClient client = SseClient.connect(held, Map.of("Last-Event-ID", before.get(0)))) {
            assertEquals(List.of("c2", "c3", "c4", "c5", "c6"), Streams.data(client.nextEvents(5,
                    Duration.ofSeconds(10))));
            assertEquals(Resume.GAP, Held.resume);
        }
    }

    @Test
    void aReplayOf8MiBNeitherCutsTheReaderNorDelaysLiveEvents() throws Exception {
        Channel channel = sse.channel("big");
        for (int i = 0; i < HELD; i++) {
            channel.send(SseMessage.data(i + " " + PAYLOAD));
        }
        // any client can ask for the whole history with an id the channel never sent
        try (SseClient client = SseClient.connect(big, Map.of("Last-Event-ID", "junk"))) {
            awaitSize(channel, 1);
            Connection connection = Streams.newest();
            AtomicInteger published = new AtomicInteger(HELD);
            Thread publisher = new Thread(() -> {
                for (int i = 0; i < DURING; i++) {
                    channel.send(SseMessage.data(published.getAndIncrement() + " " + PAYLOAD));
                    LockSupport.parkNanos(1_000_000);
                }
            });
            publisher.start();
            for (int expected = 0; expected < HELD + DURING; expected++) {
                String data = client.nextEvent(Duration.ofSeconds(30)).data();
                assertEquals(expected, Integer.parseInt(data.substring(0, data.indexOf(' '))),
                        "events in order, none lost or repeated");
            }
            publisher.join(30_000);
            assertTrue(connection.isOpen(), "the reader was not cut");
            assertEquals(Resume.GAP, connection.resume());
            channel.send(SseMessage.data("live"));
            assertEquals("live", client.nextEvent(Duration.ofSeconds(10)).data());
        }
    }
}
