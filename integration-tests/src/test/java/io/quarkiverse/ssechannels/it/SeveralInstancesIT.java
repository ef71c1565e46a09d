package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.RedisServer;
import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * Two instances of the packaged demo sharing their channels through a real redis-server (started on a free port,
 * stopped by its PID): delivery, resume, ids, history and temporary channels across instances, and what happens
 * when Redis stops answering, restarts without its data, or an instance dies.
 */
public class SeveralInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int HISTORY = 50;

    private static RedisServer redis;
    private PackagedApp a;
    private PackagedApp b;

    @BeforeAll
    static void redis() throws Exception {
        assertTrue(RedisServer.installed(), "these tests need redis-server on the PATH (apt-get install redis-server)");
        redis = RedisServer.start(Path.of("target", "app-logs"));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void instances() throws Exception {
        redis.command("FLUSHALL");
        a = start();
        b = start();
    }

    private static PackagedApp start(String... more) throws Exception {
        List<String> properties = new ArrayList<>(List.of("-Dquarkus.sse-channels.backend=redis",
                "-Dquarkus.redis.hosts=" + redis.uri(), "-Dquarkus.sse-channels.history-size=" + HISTORY,
                "-Dquarkus.sse-channels.ping-interval=1s", "-Dquarkus.sse-channels.redis.presence-interval=1s",
                "-Dquarkus.sse-channels.stores.users.empty-timeout=2s"));
        properties.addAll(List.of(more));
        return PackagedApp.start(properties.toArray(String[]::new));
    }

    @AfterEach
    void stopInstances() throws Exception {
        PackagedApp.closeAllThenCheckQuiet(a, b);
    }

    @Test
    void everyInstanceDeliversEveryEventInOrderOnce() throws Exception {
        try (SseClient onA = SseClient.connect(a.uri("/sse/weather"));
                SseClient onB = SseClient.connect(b.uri("/sse/weather"))) {
            awaitConnections(a, "weather", 1);
            awaitConnections(b, "weather", 1);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add((i % 2 == 0 ? a : b).post("/weather", "w" + i));
            }
            assertEquals(20, new HashSet<>(ids).size(), "ids never repeat across instances: " + ids);
            for (SseClient client : List.of(onA, onB)) {
                List<SseClient.Frame> events = client.nextEvents(20, WAIT);
                assertEquals(ids, events.stream().map(SseClient.Frame::id).toList(), client.raw());
                for (int i = 0; i < 20; i++) {
                    assertEquals("w" + i, events.get(i).data(), client.raw());
                }
                assertEquals(List.of(), client.drain().stream().filter(SseClient.Frame::isEvent).toList(),
                        "nothing twice: " + client.raw());
            }
        }
    }

    /**
     * The first streams of many users at once, on an instance whose Redis pool is tiny: every first join of a channel
     * reads its log, more at once than the pool lets wait, and each waits its turn instead of being refused.
     */
    @Test
    void manyNewChannelsJoinedAtOnceWaitForABusyPoolInsteadOfFailing() throws Exception {
        stopInstances();
        // one pooled connection is the subscriber's for good: commands share the other, and one may wait for it
        // 24 reads of logs and presence updates through one connection of a fresh JVM: more than the default second
        a = start("-Dquarkus.redis.max-pool-size=2", "-Dquarkus.redis.max-pool-waiting=1",
                "-Dquarkus.sse-channels.redis.timeout=10s");
        b = null;
        int users = 24;
        ExecutorService connecting = Executors.newFixedThreadPool(users);
        List<SseClient> clients = new ArrayList<>();
        try {
            List<Future<SseClient>> connected = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                String path = "/sse/user/many-" + i;
                connected.add(connecting.submit(() -> SseClient.connect(a.uri(path))));
            }
            for (Future<SseClient> client : connected) {
                clients.add(client.get(30, TimeUnit.SECONDS));
            }
            for (int i = 0; i < users; i++) {
                a.post("/user/many-" + i, "hello-" + i);
            }
            for (int i = 0; i < users; i++) {
                SseClient client = clients.get(i);
                assertEquals("hello-" + i, client.nextEvent(WAIT).data(), "user " + i + ": " + client.raw());
            }
        } finally {
            clients.forEach(SseClient::close);
            connecting.shutdownNow();
        }
    }

    @Test
    void aClientResumesOnTheOtherInstanceWithExactlyWhatItMissed() throws Exception {
        String last;
        try (SseClient onA = SseClient.connect(a.uri("/sse/feed"))) {
            awaitConnections(a, "weather", 1);
            a.post("/weather", "seen-1");
            b.post("/news", "seen-2");
            List<SseClient.Frame> seen = onA.nextEvents(2, WAIT);
            last = seen.get(1).lastEventId();
        }
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            (i % 2 == 0 ? a : b).post(i % 3 == 0 ? "/news" : "/weather", "missed-" + i);
            missed.add("missed-" + i);
        }
        try (SseClient onB = SseClient.connect(b.uri("/sse/feed"), Map.of("Last-Event-ID", last))) {
            List<SseClient.Frame> replayed = onB.nextEvents(6, WAIT);
            assertEquals(missed, replayed.stream().map(SseClient.Frame::data).toList(),
                    "exactly what it missed, in publish order, no gap: " + onB.raw());
            b.post("/weather", "live");
            assertEquals("live", onB.nextEvent(WAIT).data(), onB.raw());
        }
    }

    @Test
    void aClientResumingOnAnInstanceThatLagsBehindGetsExactlyWhatItMissed() throws Exception {
        try (SseClient keepsBFollowing = SseClient.connect(b.uri("/sse/weather"))) {
            awaitConnections(b, "weather", 1);
            a.post("/weather", "seen");
            assertEquals("seen", keepsBFollowing.nextEvent(WAIT).data(), keepsBFollowing.raw());
            // B loses its subscription while frozen: it will apply nothing until it has subscribed again; a client
            // that saw lag-2 on A resumes on B, its request there before B wakes up
            try (Socket resuming = resumeOnFrozen(b, "/sse/weather", () -> {
                redis.command("CLIENT", "KILL", "TYPE", "pubsub");
                a.post("/weather", "lag-1");
                String last = a.post("/weather", "lag-2").strip();
                a.post("/weather", "lag-3");
                return last;
            })) {
                assertEquals(List.of("lag-3"), dataUntil(resuming, "lag-3"),
                        "exactly what it missed, no gap, no repeat");
            }
        }
    }

    /** Instances again, where news keeps no history. */
    private void newsWithoutHistory() throws Exception {
        stopInstances();
        a = start("-Dquarkus.sse-channels.channels.\"news\".history-size=0");
        b = start("-Dquarkus.sse-channels.channels.\"news\".history-size=0");
    }

    @Test
    void withoutHistoryAChannelAnInstanceFollowsAgainGoesOnFromTheLogsEnd() throws Exception {
        newsWithoutHistory();
        try (SseClient first = SseClient.connect(a.uri("/sse/news"))) {
            awaitConnections(a, "news", 1);
            a.post("/news", "n1");
            assertEquals("n1", first.nextEvent(WAIT).data(), first.raw());
        }
        // A lets go of news, which goes on elsewhere
        awaitConnections(a, "news", 0);
        for (int i = 0; i < 5; i++) {
            b.post("/news", "meanwhile-" + i);
        }
        try (SseClient again = SseClient.connect(a.uri("/sse/news"))) {
            awaitConnections(a, "news", 1);
            b.post("/news", "next");
            assertEquals("next", again.nextEvent(WAIT).data(), "not cut, nothing lost: " + again.raw());
        }
    }

    @Test
    void withoutHistoryAResumeOnAnotherInstanceGoesOnAfterTheClientsLastEvent() throws Exception {
        newsWithoutHistory();
        try (SseClient keepsBFollowing = SseClient.connect(b.uri("/sse/news"));
                SseClient onA = SseClient.connect(a.uri("/sse/news"))) {
            awaitConnections(a, "news", 1);
            awaitConnections(b, "news", 1);
            a.post("/news", "n1");
            assertEquals("n1", keepsBFollowing.nextEvent(WAIT).data(), keepsBFollowing.raw());
            // the resume reaches B before B wakes, and with it n2, which the log does not keep; B usually applies n2
            // before the join reads the log, but may not (then the join trusts the client's id)
            try (Socket resuming = resumeOnFrozen(b, "/sse/news", () -> {
                a.post("/news", "n2");
                return onA.nextEvents(2, WAIT).get(1).lastEventId();
            })) {
                RawHttp.readUntil(resuming.getInputStream(), "\nid: ");
                a.post("/news", "n3");
                assertEquals(List.of("n3"), dataUntil(resuming, "n3"), "the next event, not n2 again");
            }
            assertEquals(List.of("n2", "n3"), keepsBFollowing.nextEvents(2, WAIT).stream().map(SseClient.Frame::data)
                    .toList(), "B's other client was not cut: " + keepsBFollowing.raw());
        }
    }

    @Test
    void aStormOfResumesOnOneInstanceGetsExactlyWhatEachMissed() throws Exception {
        int clients = 80; // more than the Redis client's pool lets wait (6 connections, 24 waiting), were each a read
        try (SseClient keepsBFollowing = SseClient.connect(b.uri("/sse/weather"))) {
            awaitConnections(b, "weather", 1);
            String last = a.post("/weather", "seen").strip();
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                missed.add("missed-" + i);
                a.post("/weather", "missed-" + i);
            }
            ExecutorService threads = Executors.newFixedThreadPool(clients);
            try {
                List<Future<SseClient>> resuming = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    resuming.add(threads.submit(() -> SseClient.connect(b.uri("/sse/weather"),
                            Map.of("Last-Event-ID", last))));
                }
                for (Future<SseClient> future : resuming) {
                    try (SseClient client = future.get(1, TimeUnit.MINUTES)) {
                        assertEquals(missed, client.nextEvents(missed.size(), WAIT).stream().map(SseClient.Frame::data)
                                .toList(), client.raw());
                    }
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aMessageOnAChannelsSubjectThatTheExtensionDidNotPublishIsSkipped() throws Exception {
        String skipped = "skips a message on its Redis subject that it did not publish";
        a.expectLoudLines(skipped);
        try (SseClient onA = SseClient.connect(a.uri("/sse/weather"))) {
            awaitConnections(a, "weather", 1);
            for (String junk : new String[] { "junk", "", "Enot-an-epoch\nnot-an-offset\n" }) {
                redis.command("PUBLISH", "sse:{c:weather}:live", junk);
            }
            b.post("/weather", "real");
            assertEquals("real", onA.nextEvent(WAIT).data(), "the channel goes on: " + onA.raw());
            Awaitility.await().atMost(WAIT).until(() -> a.printed(skipped));
        }
    }

    @Test
    void whenRedisLosesItsNewestWritesAnEventInTheirSteadStartsANewEpoch() throws Exception {
        // published in the lost events' stead, under an id given out before: A holds another event there
        aLosesItsNewestWrites(() -> b.post("/weather", "instead-of-3"));
    }

    @Test
    void whenRedisLosesItsNewestWritesAResumeStartsANewEpoch() throws Exception {
        // A reads the log for a client resuming there, and finds less than it had
        aLosesItsNewestWrites(() -> {
            try (SseClient resuming = SseClient.connect(a.uri("/sse/weather"), Map.of("Last-Event-ID", "x"))) {
                // its position once it joined (the new epoch holds nothing to replay)
                for (SseClient.Frame frame = resuming.next(WAIT);; frame = resuming.next(WAIT)) {
                    if (frame.id() != null) {
                        return frame;
                    }
                }
            }
        });
    }

    /**
     * A client of A gets five events, then Redis loses the last three as a restart from an older snapshot would;
     * once A notices (after {@code notice}), it cuts the client, the channel starts a new epoch, and the client
     * resuming anywhere is told of the gap, then gets what the new epoch holds.
     */
    private void aLosesItsNewestWrites(Callable<?> notice) throws Exception {
        String lost = "Redis lost writes of its log";
        a.expectLoudLines(lost);
        b.expectLoudLines(lost);
        List<String> ids = new ArrayList<>();
        String last;
        try (SseClient onA = SseClient.connect(a.uri("/sse/feed"))) {
            awaitConnections(a, "weather", 1);
            for (int i = 1; i <= 5; i++) {
                ids.add(a.post("/weather", "before-" + i).strip());
            }
            last = onA.nextEvents(5, WAIT).get(4).lastEventId();
            redis.command("HSET", "sse:{c:weather}:meta", "offset", "2");
            redis.command("XDEL", "sse:{c:weather}:log", "3-0", "4-0", "5-0");
            redis.command("XSETID", "sse:{c:weather}:log", "2-0");
            notice.call();
            assertTrue(onA.awaitEnd(WAIT), "A noticed and cut its connection so that it resumes: " + onA.raw());
            assertTrue(onA.raw().contains("retry: 0"), onA.raw());
        }
        Awaitility.await().atMost(WAIT).until(() -> a.printed(lost));
        String after = b.post("/weather", "after").strip();
        assertTrue(!after.startsWith(ids.get(0).substring(0, 8)), "a new epoch: " + after + " follows " + ids);
        try (SseClient resumed = SseClient.connect(b.uri("/sse/feed"), Map.of("Last-Event-ID", last))) {
            assertEquals("gap", resumed.nextEvent(WAIT).event(), "told of the gap: " + resumed.raw());
            assertEquals("after", resumed.nextEvent(WAIT).data(), "then what the new epoch holds: " + resumed.raw());
        }
    }

    @Test
    void historyIsBoundedInRedisAndShared() throws Exception {
        String first = a.post("/news", "n0");
        for (int i = 1; i < HISTORY + 10; i++) {
            (i % 2 == 0 ? a : b).post("/news", "n" + i);
        }
        assertEquals(String.valueOf(HISTORY), redis.command("XLEN", "sse:{c:news}:log"));
        try (SseClient late = SseClient.connect(b.uri("/sse/feed"), Map.of("Last-Event-ID", first))) {
            assertEquals("gap", late.nextEvent(WAIT).event(), "told of the gap: " + late.raw());
            List<SseClient.Frame> held = late.nextEvents(HISTORY, WAIT);
            assertEquals("n10", held.get(0).data(), late.raw());
            assertEquals("n" + (HISTORY + 9), held.get(HISTORY - 1).data(), late.raw());
        }
    }

    @Test
    void temporaryChannelsAreSharedAndCloseWhenNoInstanceHadAConnectionForTheirEmptyTimeout() throws Exception {
        assertEquals(404, b.send("/user/alice", "nobody yet").statusCode());
        try (SseClient alice = SseClient.connect(a.uri("/sse/user/alice"))) {
            alice.next(WAIT); // OK
            Awaitility.await().atMost(WAIT).until(() -> b.get("/users").contains("alice"));
            HttpResponse<String> sent = b.send("/user/alice", "from B");
            assertEquals(202, sent.statusCode(), sent.body());
            assertEquals("from B", alice.nextEvent(WAIT).data(), alice.raw());
        }
        // listed while its empty timeout (2 s) runs, then gone everywhere
        Awaitility.await().atMost(WAIT).until(() -> !b.get("/users").contains("alice")
                && !a.get("/users").contains("alice"));
        assertEquals(404, b.send("/user/alice", "gone").statusCode());
    }

    @Test
    void aTemporaryChannelOfAnInstanceThatStopsStaysForItsEmptyTimeout() throws Exception {
        stopInstances();
        // an empty timeout well beyond the presence an instance keeps refreshing (3 intervals of 1 s)
        a = start("-Dquarkus.sse-channels.stores.users.empty-timeout=30s");
        b = start("-Dquarkus.sse-channels.stores.users.empty-timeout=30s");
        try (SseClient alice = SseClient.connect(a.uri("/sse/user/alice"))) {
            alice.next(WAIT); // OK
            Awaitility.await().atMost(WAIT).until(() -> b.get("/users").contains("alice"));
            a.stop();
        }
        // a client coming back on B within the empty timeout finds its channel
        Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                .until(() -> b.get("/users").contains("alice"));
        assertEquals(202, b.send("/user/alice", "still here").statusCode());
    }

    @Test
    void anInstanceFollowsOnlyTheChannelsItHasConnectionsFor() throws Exception {
        assertEquals("", redis.command("PUBSUB", "CHANNELS", "sse:*"), "nothing followed without connections");
        try (SseClient onA = SseClient.connect(a.uri("/sse/user/bob"))) {
            onA.next(WAIT);
            Awaitility.await().atMost(WAIT).until(() -> "sse:{s:users:bob}:live"
                    .equals(redis.command("PUBSUB", "CHANNELS", "sse:*")));
            assertEquals("1", redis.command("PUBSUB", "NUMSUB", "sse:{s:users:bob}:live").split("\n")[1],
                    "only the instance with the connection follows it");
        }
        Awaitility.await().atMost(WAIT).until(() -> "".equals(redis.command("PUBSUB", "CHANNELS", "sse:*")));
    }

    @Test
    void whileRedisDoesNotAnswerPublishingFailsFastAndStreamsStayOpen() throws Exception {
        try (SseClient onA = SseClient.connect(a.uri("/sse/weather"));
                SseClient onB = SseClient.connect(b.uri("/sse/weather"))) {
            awaitConnections(a, "weather", 1);
            awaitConnections(b, "weather", 1);
            redis.freeze();
            try {
                long start = System.nanoTime();
                HttpResponse<String> refused = a.send("/weather", "lost?");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(503, refused.statusCode(), refused.body());
                assertTrue(millis < 2000, "answered within 2 s, took " + millis + " ms");
                // pinged meanwhile (every second): the streams stay open
                onA.drain();
                awaitPing(onA);
            } finally {
                redis.thaw();
            }
            // the refused publish may have happened after all; from now on every publish reaches both
            onA.drain();
            onB.drain();
            String id = Awaitility.await().atMost(WAIT).until(() -> {
                HttpResponse<String> r = b.send("/weather", "back");
                return r.statusCode() == 202 ? r.body() : null;
            }, Objects::nonNull);
            for (SseClient client : List.of(onA, onB)) {
                SseClient.Frame event;
                do {
                    event = client.nextEvent(WAIT);
                } while (!"back".equals(event.data()) && "lost?".equals(event.data()));
                assertEquals("back", event.data(), client.raw());
                assertEquals(id, event.id(), client.raw());
            }
        }
    }

    @Test
    void aRestartOfRedisWithoutItsDataIsAGapThatClientsAreToldOf() throws Exception {
        String last;
        try (SseClient onA = SseClient.connect(a.uri("/sse/feed"))) {
            awaitConnections(a, "weather", 1);
            b.post("/weather", "before");
            last = onA.nextEvent(WAIT).lastEventId();
            redis.stop();
            redis.startAgain();
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                Awaitility.await().atMost(WAIT).until(() -> b.send("/weather", "after-" + n).statusCode() == 202);
                after.add("after-" + i);
            }
            // the instance meets the new epoch: the stream ends so that the client resumes
            assertTrue(onA.awaitEnd(WAIT), "the stream ends: " + onA.raw());
            try (SseClient back = SseClient.connect(a.uri("/sse/feed"), Map.of("Last-Event-ID", last))) {
                assertEquals("gap", back.nextEvent(WAIT).event(), back.raw());
                assertEquals(after, back.nextEvents(3, WAIT).stream().map(SseClient.Frame::data).toList(),
                        back.raw());
            }
        }
    }

    @Test
    void clientsOfAKilledInstanceResumeOnAnotherWithExactlyWhatTheyMissed() throws Exception {
        String last;
        try (SseClient onA = SseClient.connect(a.uri("/sse/feed"))) {
            awaitConnections(a, "weather", 1);
            a.post("/weather", "seen");
            last = onA.nextEvent(WAIT).lastEventId();
            a.kill();
        }
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            b.post(i % 2 == 0 ? "/news" : "/weather", "meanwhile-" + i);
            missed.add("meanwhile-" + i);
        }
        try (SseClient onB = SseClient.connect(b.uri("/sse/feed"), Map.of("Last-Event-ID", last))) {
            assertEquals(missed, onB.nextEvents(4, WAIT).stream().map(SseClient.Frame::data).toList(), onB.raw());
        }
    }

    /**
     * Freezes the instance, runs what happens meanwhile (it answers the last event id a client saw), sends that
     * client's resume to it, and wakes it: the resume is there before the instance handles anything else.
     */
    private static Socket resumeOnFrozen(PackagedApp app, String path, Callable<String> meanwhile) throws Exception {
        app.freeze();
        try {
            Socket resuming = RawHttp.get(app.uri(path), Map.of("Last-Event-ID", meanwhile.call()));
            resuming.setSoTimeout((int) WAIT.toMillis());
            return resuming;
        } finally {
            app.thaw();
        }
    }

    /** @return the data of the events a raw stream received, up to the one with this data */
    private static List<String> dataUntil(Socket stream, String data) throws Exception {
        String received = RawHttp.readUntil(stream.getInputStream(), "data: " + data + "\n");
        List<String> events = received.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6))
                .toList();
        if (events.isEmpty() || !events.get(events.size() - 1).equals(data)) {
            throw new AssertionError("the stream ended before [" + data + "]: " + received);
        }
        return events;
    }

    private static void awaitPing(SseClient client) {
        for (SseClient.Frame frame = client.next(WAIT);; frame = client.next(WAIT)) {
            if (frame.comments().stream().anyMatch(c -> c.strip().equals("ping"))) {
                return;
            }
        }
    }

    private static void awaitConnections(PackagedApp app, String channel, int n) {
        Awaitility.await().atMost(WAIT).until(() -> app.get("/" + channel + "/connections").equals(String.valueOf(n)));
    }
}
