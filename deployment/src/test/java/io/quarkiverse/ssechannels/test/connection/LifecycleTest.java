package io.quarkiverse.ssechannels.test.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Ping, timeout, both ways of closing, listeners that run exactly once, and nothing left behind; for streams opened
 * from a resource method and from a Vert.x route alike.
 */
public class LifecycleTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Multis.class))
            .overrideConfigKey("quarkus.http.test-port", "0");

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void pingsEveryInterval(String base) {
        long opened = System.nanoTime();
        try (SseClient client = SseClient.connect(uri(base, "/open?ping=300"))) {
            for (int i = 1; i <= 4; i++) {
                SseClient.Frame ping = client.next(Duration.ofSeconds(10));
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
                assertFalse(ping.isEvent());
                assertEquals(List.of(" ping"), ping.comments());
                // a timer never fires early: the i-th ping comes i intervals after the stream opened, at the earliest
                assertTrue(elapsed >= i * 300L, "ping " + i + " after " + elapsed + " ms");
            }
        }
    }

    /**
     * Pings and the end of the lifetime share one timer per connection: pings go on after the first until the
     * lifetime ends, never early.
     */
    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void pingsGoOnUntilTheLifetimeEnds(String base) {
        long opened = System.nanoTime();
        try (SseClient client = SseClient.connect(uri(base, "/open?ping=200&timeout=1100"))) {
            assertTrue(client.awaitEnd(Duration.ofSeconds(10)), "the server ended the stream: " + client.raw());
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
            List<SseClient.Frame> frames = client.drain();
            assertTrue(frames.stream().allMatch(f -> f.comments().equals(List.of(" ping"))), client.raw());
            // five at most (one every 200 ms, never early); fewer only if a loaded machine delayed them
            assertTrue(frames.size() >= 2 && frames.size() <= 5, frames.size() + " pings: " + client.raw());
            assertTrue(elapsed >= 1100, "ended after " + elapsed + " ms");
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void timeoutEndsTheStreamCleanlyAndRunsListenersOnce(String base) {
        try (SseClient client = SseClient.connect(uri(base, "/open?timeout=300"))) {
            Connection connection = awaitNewest();
            assertTrue(client.awaitEnd(Duration.ofSeconds(10)), "the server ended the stream");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
            awaitClosedOnce(connection);
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void clientThatVanishesIsDetectedWithoutAWrite(String base) {
        SseClient client = SseClient.connect(uri(base, "/open"));
        Connection connection = awaitNewest();
        AtomicInteger listenerRuns = new AtomicInteger();
        connection.onClose(c -> listenerRuns.incrementAndGet());
        Connection.Registration removedLater = connection.onClose(c -> {
        });
        client.close();
        // pings are off and nothing is sent: only the transport's close can tell
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
        awaitClosedOnce(connection);
        assertEquals(1, listenerRuns.get());
        removedLater.remove(); // after its listener ran: nothing to do
        AtomicInteger late = new AtomicInteger();
        connection.onClose(c -> late.incrementAndGet());
        assertEquals(1, late.get(), "a listener added after the close runs at once");
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void tcpResetIsDetectedAndTheRequestIsKept(String base) throws Exception {
        try (Socket socket = RawHttp.get(root, base + "/open?x=1", Map.of("X-Client", "raw"))) {
            Connection connection = awaitNewest();
            assertEquals(base + "/open", connection.request().path());
            assertEquals("raw", connection.request().getHeader("X-Client"));
            assertEquals("1", connection.request().getParam("x"));
            socket.setSoLinger(true, 0); // close with a reset rather than a FIN
        }
        Connection connection = Streams.OPENED.values().stream()
                .filter(c -> "raw".equals(c.request().getHeader("X-Client"))).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
        awaitClosedOnce(connection);
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void serverCloseIsIdempotentAndListenersRunOnce(String base) {
        try (SseClient client = SseClient.connect(uri(base, "/open"))) {
            Connection connection = awaitNewest();
            connection.sendData("last words");
            connection.close();
            connection.close();
            assertTrue(client.awaitEnd(Duration.ofSeconds(10)));
            assertTrue(client.raw().contains("data: last words"), "queued data is written before the end");
            awaitClosedOnce(connection);
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void churnOfAbruptDisconnectsLeavesNothingBehind(String base) throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Channel channel = sse.channel(Routes.name(base, "churn"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> impl.openConnections() == 0);
        churn(base, 1_000); // warms up the server and the client, so the heap comparison sees only what stays
        long before = heapAfterGc();
        long started = System.nanoTime();
        churn(base, 10_000);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        // no write happens: only the transport's close can tell the server
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> impl.openConnections() == 0);
        assertEquals(0, channel.size(), "every connection left the channel");
        assertEquals(0, impl.pendingTimers(), "every ping and timeout timer was cancelled");
        long growth = heapAfterGc() - before;
        System.out.printf("10,000 connect/disconnect cycles in %d s; heap after GC grew by %d KiB%n", seconds,
                growth / 1024);
        // a leaked connection holds its request, response, queue and timers: several KiB each
        assertTrue(growth < 4 * 1024 * 1024, "heap grew by " + growth + " bytes");
    }

    private void churn(String base, int cycles) throws InterruptedException {
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < cycles / threads.length; i++) {
                    SseClient.connect(uri(base, "/bare/" + Routes.name(base, "churn"))).close();
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join(120_000);
        }
    }

    private URI uri(String base, String path) {
        return URI.create(root + base.substring(1) + path);
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // the lowest of a few collections: a concurrent allocation can make one reading high
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static Connection awaitNewest() {
        int before = Streams.OPENED.size();
        return Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> Streams.OPENED.values().stream().filter(Connection::isOpen)
                        .max(java.util.Comparator.comparingLong(c -> Long.parseLong(c.id()))).orElse(null),
                c -> c != null && Streams.OPENED.size() >= before);
    }

    private static void awaitClosedOnce(Connection connection) {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Collections.frequency(Streams.CLOSED, connection.id()) == 1);
        // a second close changes nothing
        connection.close();
        assertEquals(1, Collections.frequency(Streams.CLOSED, connection.id()));
    }
}
