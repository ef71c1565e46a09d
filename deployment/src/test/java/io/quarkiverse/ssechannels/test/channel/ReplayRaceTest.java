package io.quarkiverse.ssechannels.test.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
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
 * Clients join while another thread broadcasts without pause: each sees a gapless, duplicate-free run of events
 * from just after its Last-Event-ID to the end; and joins are not starved by threads that send as fast as they can.
 */
public class ReplayRaceTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.history-size", "100000")
            // a client the tight loops flood is not cut before the test sees it joined
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "256M");

    @TestHTTPResource("/streams/channels/race")
    URI race;

    @TestHTTPResource("/streams/channels/busy")
    URI busy;

    @Inject
    SseChannels sse;

    /**
     * Two threads send to one channel in tight loops while clients join and leave it, one after the other: every join
     * and every leave gets the channel's lock within a bound, and both senders go on sending meanwhile.
     */
    @Test
    void joinsAreNotStarvedBySendsInTightLoops() throws Exception {
        Channel channel = sse.channel("busy");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong[] sent = { new AtomicLong(), new AtomicLong() };
        List<Thread> senders = new ArrayList<>();
        for (AtomicLong count : sent) {
            Thread sender = new Thread(() -> {
                while (!stop.get()) {
                    channel.send(SseMessage.data("x"));
                    count.incrementAndGet();
                }
            });
            senders.add(sender);
            sender.start();
        }
        try {
            for (int c = 0; c < 4; c++) {
                long[] before = { sent[0].get(), sent[1].get() };
                try (SseClient client = SseClient.connect(busy)) {
                    Awaitility.await("join " + c).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2))
                            .until(() -> channel.size() == 1);
                }
                // leaving takes the lock too
                Awaitility.await("leave " + c).atMost(Duration.ofSeconds(20)).until(() -> channel.size() == 0);
                Awaitility.await("both senders go on after join " + c).atMost(Duration.ofSeconds(20))
                        .until(() -> sent[0].get() > before[0] + 1_000 && sent[1].get() > before[1] + 1_000);
            }
        } finally {
            stop.set(true);
            for (Thread sender : senders) {
                sender.join(30_000);
            }
        }
    }

    @Test
    void replayAndLiveDeliveryNeitherLoseNorRepeat() throws Exception {
        Channel channel = sse.channel("race");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(channel.send(SseMessage.data(Integer.toString(i))));
        }
        AtomicInteger sent = new AtomicInteger(100);
        AtomicBoolean stop = new AtomicBoolean();
        Thread broadcaster = new Thread(() -> {
            while (!stop.get()) {
                channel.send(SseMessage.data(Integer.toString(sent.getAndIncrement())));
                // paced, so that joins overlap sends for a while instead of following a finished burst
                LockSupport.parkNanos(20_000);
            }
        });
        broadcaster.start();
        int clients = 8;
        List<SseClient> connected = new ArrayList<>();
        List<Integer> firstExpected = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                int after = c * 10;
                firstExpected.add(after + 1);
                connected.add(SseClient.connect(race, Map.of("Last-Event-ID", ids.get(after))));
            }
            // keep broadcasting until every client joined and a good run of live events followed
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> channel.size() == clients);
            int joinedAt = sent.get();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() > joinedAt + 2_000);
        } finally {
            stop.set(true);
            broadcaster.join(30_000);
        }
        int total = sent.get();
        try {
            for (int c = 0; c < clients; c++) {
                SseClient client = connected.get(c);
                int expected = firstExpected.get(c);
                while (expected < total) {
                    SseClient.Frame frame = client.nextEvent(Duration.ofSeconds(20));
                    assertEquals(Integer.toString(expected), frame.data(), "client " + c);
                    expected++;
                }
            }
        } finally {
            connected.forEach(SseClient::close);
        }
    }
}
