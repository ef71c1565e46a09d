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

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
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
            .overrideConfigKey("quarkus.sse-channels.empty-timeout", "300ms");

    @TestHTTPResource("/streams/user/")
    URI users;

    @Inject
    TemporaryChannels<String> byName;

    @Inject
    LongKeys longKeys;

    @Inject
    SseChannels sse;

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
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        int indexedBefore = impl.indexedEventIds();
        Channel channel = byName.getOrCreate("short-lived");
        channel.send(SseMessage.data("one"));
        channel.send(SseMessage.builder().id("two").data("two").build());
        assertEquals(indexedBefore + 2, impl.indexedEventIds());
        assertTrue(byName.keys().contains("short-lived"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !byName.keys().contains("short-lived"));
        assertTrue(channel.isClosed());
        assertEquals(indexedBefore, impl.indexedEventIds(), "a closed channel's event ids leave the journal");
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

    @Test
    void oneStorePerKeyType() {
        Channel channel = longKeys.store.getOrCreate(42L);
        assertEquals("42", channel.name());
        assertEquals(Set.of(42L), longKeys.store.keys());
        assertFalse(byName.keys().contains("42"));
        assertEquals(1, longKeys.store.size());
    }

    @jakarta.inject.Singleton
    public static class LongKeys {
        @Inject
        TemporaryChannels<Long> store;
    }
}
