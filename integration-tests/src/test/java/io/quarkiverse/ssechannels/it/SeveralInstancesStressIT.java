package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.RedisServer;
import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * Randomized, seeded and bounded: two instances publish to two channels at once while clients of both channels at
 * once ({@code /sse/feed}) drop their connection at random points and resume on either instance. Every client's
 * deliveries, channel by channel, must be the channel's whole log as Redis ordered it (read back from the ids the
 * publishes answered): nothing lost, nothing twice, no gap told. Dropping and resuming makes instances let go of
 * the channels and follow them again while events flow. Run again with {@code -Dstress.seed=N} to replay a seed's
 * choices (the interleaving still differs).
 */
public class SeveralInstancesStressIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PUBLISHERS = 2;
    private static final int EVENTS_EACH = 250;
    private static final int CLIENTS = 6;
    private static final List<String> CHANNELS = List.of("weather", "news");

    private RedisServer redis;
    private final List<PackagedApp> apps = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        try {
            PackagedApp.closeAllThenCheckQuiet(apps.toArray(PackagedApp[]::new));
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void everyClientGetsEveryChannelsWholeLogAcrossDropsAndInstances() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        String replay = "seed " + seed + " (-Dstress.seed=" + seed + ")";
        assertTrue(RedisServer.installed(), "this test needs redis-server on the PATH (apt-get install redis-server)");
        redis = RedisServer.start(Path.of("target", "app-logs"));
        for (int i = 0; i < 2; i++) {
            apps.add(PackagedApp.start("-Dquarkus.sse-channels.backend=redis", "-Dquarkus.redis.hosts=" + redis.uri(),
                    "-Dquarkus.sse-channels.history-size=" + (PUBLISHERS * EVENTS_EACH)));
        }

        // every client is in both channels before the first publish: it must get both logs whole
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new Client(new Random(seed + i)));
        }
        Awaitility.await().atMost(WAIT).until(() -> apps.stream()
                .mapToInt(app -> Integer.parseInt(uncheckedGet(app, "/weather/connections"))).sum() == CLIENTS);

        AtomicBoolean publishing = new AtomicBoolean(true);
        Map<String, Published> published = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            List<Future<?>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                Random random = new Random(seed * 31 + p);
                String name = "p" + p;
                publishers.add(threads.submit(() -> {
                    for (int i = 0; i < EVENTS_EACH; i++) {
                        String channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                        String data = name + "-" + i;
                        String id = apps.get(random.nextInt(apps.size())).post("/" + channel, data);
                        published.put(data, new Published(channel, offsetOf(id)));
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(3000)));
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (Client client : clients) {
                readers.add(threads.submit(() -> {
                    while (publishing.get()) {
                        client.readSomeThenDrop();
                    }
                    return null;
                }));
            }
            for (Future<?> publisher : publishers) {
                publisher.get(2, TimeUnit.MINUTES);
            }
            publishing.set(false);
            for (Future<?> reader : readers) {
                reader.get(2, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }

        Map<String, List<String>> logs = new ConcurrentHashMap<>();
        for (String channel : CHANNELS) {
            logs.put(channel, published.entrySet().stream().filter(e -> e.getValue().channel().equals(channel))
                    .sorted(Comparator.comparingLong(e -> e.getValue().offset())).map(Map.Entry::getKey).toList());
        }
        for (Client client : clients) {
            client.finish(logs);
            for (String channel : CHANNELS) {
                assertEquals(logs.get(channel), client.received(channel, published),
                        replay + ": a client's " + channel + " events, over " + client.sessions
                                + " connections, are the channel's whole log once, in its order; last bytes: "
                                + client.lastRaw);
            }
        }
        System.out.printf("%s: %d clients, %d connections, %d events each received whole%n", replay, CLIENTS,
                clients.stream().mapToInt(c -> c.sessions).sum(), PUBLISHERS * EVENTS_EACH);
    }

    private record Published(String channel, long offset) {
    }

    /** @return the offset in a position id, {@code <epoch>-<offset>} */
    private static long offsetOf(String id) {
        return Long.parseLong(id.strip().substring(id.strip().lastIndexOf('-') + 1));
    }

    private static String uncheckedGet(PackagedApp app, String path) {
        try {
            return app.get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A browser-like client of both channels: it resumes with the last id it saw, on either instance. */
    private final class Client {

        private final Random random;
        private final List<String> data = new ArrayList<>();
        private SseClient connection;
        private String lastEventId;
        private int sessions;
        private String lastRaw = "";
        private String sentId;
        private int instance;

        Client(Random random) {
            this.random = random;
            connect();
        }

        private void connect() {
            PackagedApp app = apps.get(random.nextInt(apps.size()));
            sentId = lastEventId;
            instance = apps.indexOf(app);
            connection = SseClient.connect(app.uri("/sse/feed"),
                    lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
            sessions++;
            assertEquals(200, connection.status(), connection.raw());
        }

        /** Reads a random number of events (or until none came for a while), then drops the connection. */
        void readSomeThenDrop() {
            int wanted = 1 + random.nextInt(40);
            for (int i = 0; i < wanted; i++) {
                SseClient.Frame frame = connection.poll(Duration.ofMillis(500));
                if (frame == null) {
                    break;
                }
                take(frame);
            }
            drop();
            connect();
        }

        /** Reads until it has the last event of every channel. */
        void finish(Map<String, List<String>> logs) {
            try {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!CHANNELS.stream().allMatch(c -> logs.get(c).isEmpty()
                        || data.contains(logs.get(c).get(logs.get(c).size() - 1)))) {
                    SseClient.Frame frame = connection.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                    if (frame == null) {
                        break;
                    }
                    take(frame);
                }
            } finally {
                drop();
            }
        }

        private void take(SseClient.Frame frame) {
            if (!frame.isEvent()) {
                return;
            }
            assertTrue(!"gap".equals(frame.event()), "no gap is told when history holds everything; resumed with " + sentId
                    + " on instance " + instance + " after " + data.size() + " events: " + connection.raw());
            data.add(frame.data());
            lastEventId = frame.lastEventId();
        }

        private void drop() {
            lastRaw = connection.raw();
            if (lastRaw.length() > 2000) {
                lastRaw = "..." + lastRaw.substring(lastRaw.length() - 2000);
            }
            connection.close();
        }

        /** @return what it received of a channel (and anything never published, which no channel may show) */
        List<String> received(String channel, Map<String, Published> published) {
            return data.stream().filter(d -> !published.containsKey(d) || published.get(d).channel().equals(channel))
                    .toList();
        }
    }
}
