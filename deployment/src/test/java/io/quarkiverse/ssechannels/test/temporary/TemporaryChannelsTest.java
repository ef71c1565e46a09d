package io.quarkiverse.ssechannels.test.temporary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * The store: atomic creation, one store per key type, closed channels leave by themselves.
 */
public class TemporaryChannelsTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, LongKeys.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.empty-timeout", "300ms")
            .overrideConfigKey("quarkus.sse-channels.stores.\"rooms\".empty-timeout", "1h")
            .overrideConfigKey("quarkus.sse-channels.stores.\"rooms\".history-size", "2");

    @TestHTTPResource("/streams/user/")
    URI users;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> byName;

    @Inject
    @ChannelStore("rooms")
    TemporaryChannels<String> rooms;

    @Inject
    LongKeys longKeys;

    @Test
    void concurrentFirstConnectionsGetTheSameChannel() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 50; round++) {
                String key = "user-" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Channel>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Callable<Channel> task = () -> {
                        start.await();
                        return byName.getOrCreate(key);
                    };
                    results.add(pool.submit(task));
                }
                start.countDown();
                Channel first = results.get(0).get();
                for (Future<Channel> result : results) {
                    assertSame(first, result.get());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedChannelsLeaveTheStoreAndAreNeverHandedOut() {
        Channel channel = byName.getOrCreate("short-lived");
        channel.send(SseMessage.data("one"));
        channel.send(SseMessage.builder().id("two").data("two").build());
        assertEquals(2, channel.historySize());
        assertTrue(byName.keys().contains("short-lived"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !byName.keys().contains("short-lived"));
        assertTrue(channel.isClosed());
        assertEquals(0, channel.historySize(), "a closed channel lets its history go");
        assertTrue(byName.get("short-lived").isEmpty());
        Channel again = byName.getOrCreate("short-lived");
        assertFalse(again.isClosed());
    }

    @Test
    void joinedUsersChannelStaysWhileConnectedAndLeavesAfter() {
        try (SseClient client = SseClient.connect(URI.create(users + "alice"))) {
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> byName.get("alice").map(Channel::size).orElse(0) == 1);
            byName.get("alice").orElseThrow().send(SseMessage.data("hi alice"));
            assertEquals("hi alice", client.nextEvent(Duration.ofSeconds(10)).data());
            assertTrue(byName.keys().contains("alice"));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> byName.get("alice").isEmpty());
    }

    /**
     * Clients that leave while their request joins: however the close and the join interleave, every channel
     * empties and leaves the store.
     */
    @Test
    void clientsThatLeaveWhileJoiningLeaveNoChannelBehind() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                URI uri = URI.create(users + "churn-" + i);
                done.add(pool.submit(() -> SseClient.connect(uri).close()));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> byName.keys().stream().noneMatch(k -> k.startsWith("churn-")));
    }

    @Test
    void storesWithTheSameKeyTypeNeverShareKeys() {
        Channel room = rooms.getOrCreate("lobby");
        assertFalse(byName.keys().contains("lobby"));
        assertTrue(byName.get("lobby").isEmpty());
        assertTrue(byName.getOrCreate("lobby") != room, "each store has its own channel for a key");
        assertEquals(1, rooms.size());
        // the rooms store keeps 2 events, as configured; the users store the global 500
        for (int i = 0; i < 5; i++) {
            room.send(SseMessage.data("r" + i));
            byName.getOrCreate("lobby").send(SseMessage.data("u" + i));
        }
        assertEquals(2, room.historySize());
        assertEquals(5, byName.getOrCreate("lobby").historySize());
    }

    @Test
    void eachStoreHasItsOwnEmptyTimeout() {
        Channel room = rooms.getOrCreate("kept");
        Channel user = byName.getOrCreate("gone");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(user::isClosed);
        assertFalse(room.isClosed(), "rooms keep empty channels for an hour");
    }

    @Test
    void injectionPointsOfOneStoreShareIt() {
        Channel channel = longKeys.store.getOrCreate(42L);
        assertEquals("42", channel.name());
        assertSame(channel, longKeys.again.getOrCreate(42L));
        assertEquals(Set.of(42L), longKeys.store.keys());
    }

    @jakarta.inject.Singleton
    public static class LongKeys {
        @Inject
        @ChannelStore("numbers")
        TemporaryChannels<Long> store;

        @Inject
        @ChannelStore("numbers")
        TemporaryChannels<Long> again;
    }
}
