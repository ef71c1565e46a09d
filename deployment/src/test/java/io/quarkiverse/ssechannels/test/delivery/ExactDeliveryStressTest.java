package io.quarkiverse.ssechannels.test.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

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
 * Publishers on several threads and channels; clients in one or several channels that keep dropping their stream
 * and resuming with their last event id. Every delivery is checked against the publish log: per channel, exactly
 * the events after where the client started, in order, none twice; across channels, the order in which each
 * publisher published. Seeded and bounded; the seed is in every failure message ({@code -Dstress.seed=N} repeats a
 * run).
 */
public class ExactDeliveryStressTest {

    private static final long SEED = Long.getLong("stress.seed", 20261124L);
    private static final String[] CHANNELS = { "s0", "s1", "s2", "s3" };
    private static final int PUBLISHERS = 3;
    private static final int EVENTS_PER_PUBLISHER = 2_000;
    private static final int CLIENTS = 6;

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            // large enough that no client falls out of the history: every resume must be exact
            .overrideConfigKey("quarkus.sse-channels.history-size", "10000");

    @TestHTTPResource("/streams/channels/")
    URI base;

    @Inject
    SseChannels sse;

    /** What a publisher sent: to which channel, at which offset, its own sequence number. */
    record Published(String channel, long offset, int publisher, int sequence) {
    }

    /** data -> what was published with it */
    private final Map<String, Published> log = new ConcurrentHashMap<>();

    @Test
    void everyClientGetsExactlyWhatFollowsItsResumePoints() throws Exception {
        Random seeds = new Random(SEED);
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS + CLIENTS);
        AtomicBoolean publishing = new AtomicBoolean(true);
        CountDownLatch connected = new CountDownLatch(CLIENTS);
        try {
            List<Future<List<String>>> clients = new ArrayList<>();
            List<List<String>> joined = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Random random = new Random(seeds.nextLong());
                List<String> channels = pick(random, 1 + c % 3);
                joined.add(channels);
                clients.add(pool.submit(() -> follow(channels, random, publishing, connected)));
            }
            // every client is in its channels before the first event: the first streams see publications too
            assertTrue(connected.await(30, TimeUnit.SECONDS), "seed " + SEED + ": clients did not connect");
            List<Future<?>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                Random random = new Random(seeds.nextLong());
                publishers.add(pool.submit(() -> publish(publisher, random)));
            }
            for (Future<?> publisher : publishers) {
                publisher.get(120, TimeUnit.SECONDS);
            }
            publishing.set(false);
            for (int c = 0; c < CLIENTS; c++) {
                check(joined.get(c), clients.get(c).get(120, TimeUnit.SECONDS));
            }
        } finally {
            publishing.set(false);
            pool.shutdownNow();
        }
    }

    private void publish(int publisher, Random random) {
        for (int sequence = 0; sequence < EVENTS_PER_PUBLISHER; sequence++) {
            String channel = CHANNELS[random.nextInt(CHANNELS.length)];
            String data = publisher + ":" + sequence;
            // the log entry goes in before the send, so that a client can never see an unknown event
            Channel target = sse.channel(channel);
            synchronized (log) {
                String id = target.send(SseMessage.data(data));
                log.put(data, new Published(channel, Long.parseLong(id.substring(id.indexOf('-') + 1)), publisher,
                        sequence));
            }
            LockSupport.parkNanos(random.nextInt(2_000_000));
        }
    }

    private static List<String> pick(Random random, int count) {
        List<String> all = new ArrayList<>(List.of(CHANNELS));
        Collections.shuffle(all, random);
        return List.copyOf(all.subList(0, count));
    }

    /**
     * Connects, reads a few frames, drops the stream without a word, resumes from the last frame it processed; once
     * publishing is over, reads until it has the last event of each of its channels.
     *
     * @return the data of every event it processed, in order
     */
    private List<String> follow(List<String> channels, Random random, AtomicBoolean publishing,
            CountDownLatch connected) {
        URI uri = URI.create(base + String.join(",", channels));
        List<String> received = new ArrayList<>();
        String lastEventId = null;
        boolean last = false;
        int sessions = 0;
        while (!last) {
            sessions++;
            last = !publishing.get();
            Map<String, String> headers = lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId);
            try (SseClient client = SseClient.connect(uri, headers)) {
                if (sessions == 1) {
                    // the position frame: the client is in its channels
                    SseClient.Frame position = client.next(Duration.ofSeconds(10));
                    lastEventId = position.lastEventId();
                    connected.countDown();
                }
                int frames = last ? Integer.MAX_VALUE : 1 + random.nextInt(40);
                for (int i = 0; i < frames; i++) {
                    SseClient.Frame frame = client.poll(Duration.ofMillis(last ? 5_000 : 200));
                    if (frame == null) {
                        break;
                    }
                    if (frame.isEvent()) {
                        received.add(frame.data());
                    }
                    if (frame.lastEventId() != null) {
                        lastEventId = frame.lastEventId();
                    }
                    if (last && hasTheLastOfEach(channels, received)) {
                        break;
                    }
                }
            }
            LockSupport.parkNanos(random.nextInt(5_000_000));
        }
        System.out.printf("client in %s: %d events over %d streams%n", channels, received.size(), sessions);
        return received;
    }

    private boolean hasTheLastOfEach(List<String> channels, List<String> received) {
        Map<String, Long> newest = newestOffsets();
        Set<String> got = new HashSet<>();
        for (int i = received.size() - 1; i >= 0 && got.size() < channels.size(); i--) {
            Published p = log.get(received.get(i));
            if (p != null && newest.get(p.channel()) == p.offset()) {
                got.add(p.channel());
            }
        }
        return got.containsAll(channels);
    }

    private Map<String, Long> newestOffsets() {
        Map<String, Long> newest = new HashMap<>();
        log.values().forEach(p -> newest.merge(p.channel(), p.offset(), Math::max));
        return newest;
    }

    private void check(List<String> channels, List<String> received) {
        String context = "seed " + SEED + ", client in " + channels + ", received " + received.size() + " events";
        assertTrue(received.size() > EVENTS_PER_PUBLISHER / 2, context);
        Set<String> seen = new HashSet<>();
        Map<String, Long> offsets = new HashMap<>();
        Map<Integer, Integer> sequences = new HashMap<>();
        for (String data : received) {
            assertTrue(seen.add(data), "[" + data + "] twice; " + context);
            Published p = log.get(data);
            assertTrue(p != null && channels.contains(p.channel()), "[" + data + "] is not of this client; " + context);
            Long previous = offsets.put(p.channel(), p.offset());
            if (previous != null) {
                assertEquals(previous + 1, p.offset(), "in " + p.channel() + ", [" + data + "] after offset "
                        + previous + ": a gap or a reordering; " + context);
            }
            Integer before = sequences.put(p.publisher(), p.sequence());
            assertTrue(before == null || before < p.sequence(), "publisher " + p.publisher() + "'s event "
                    + p.sequence() + " after its event " + before + ": not in publish order; " + context);
        }
        Map<String, Long> newest = newestOffsets();
        for (String channel : channels) {
            assertEquals(newest.get(channel), offsets.get(channel), "the last event of " + channel + "; " + context);
        }
    }
}
