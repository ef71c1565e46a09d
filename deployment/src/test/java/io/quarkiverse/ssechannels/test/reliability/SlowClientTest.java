package io.quarkiverse.ssechannels.test.reliability;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * One client that never reads among twenty that do: its queue fills, it is cut off, and the others get every
 * event while the broadcasts never wait for it.
 */
public class SlowClientTest {

    /**
     * Each reader takes 2 MB a second through the JDK client: a hundred of them (200 MB/s with the server on the same
     * 2 cores) fell behind by more than max-queued-bytes on a loaded machine and were cut too.
     */
    private static final int READERS = 20;
    private static final int EVENTS = 8_000;

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Multis.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            // slack for readers that lag on a loaded 2-core machine; the stalled client exceeds it several times
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "2M")
            .overrideConfigKey("quarkus.sse-channels.history-size", "0");

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void aClientThatStopsReadingIsClosedAndTheOthersGetEverything(String base) throws Exception {
        Channel channel = sse.channel(Routes.name(base, "slow"));
        URI stream = URI.create(root + base.substring(1) + "/channels/" + channel.name());
        HttpClient http = HttpClient.newHttpClient();
        // a thread per reader: a pool smaller than the readers would leave some unread, and cut as slow
        ExecutorService reading = Executors.newCachedThreadPool();
        List<CompletableFuture<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            readers.add(http.sendAsync(HttpRequest.newBuilder(stream).build(), HttpResponse.BodyHandlers.ofLines())
                    .thenApplyAsync(response -> lastInOrder(response.body()), reading));
        }
        try (Socket stalled = RawHttp.stalledClient(stream)) {
            awaitSize(channel, READERS + 1);
            Connection stalledConnection = Streams.rawConnection();

            String payload = "x".repeat(1000);
            long started = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                channel.send(SseMessage.data(i + " " + payload));
                // about 2,000 events a second: a rate readers on this loaded machine keep up with
                LockSupport.parkNanos(500_000);
            }
            long sendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            channel.send(SseMessage.data("end"));

            // its close listeners ran
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> Streams.CLOSED.contains(stalledConnection.id()));
            // the cut is a reset: the socket does not wait, open, for a client that does not read
            stalled.setSoTimeout(10_000);
            InputStream in = stalled.getInputStream();
            assertThrows(SocketException.class, () -> {
                byte[] buffer = new byte[8192];
                while (in.read(buffer) >= 0) {
                    // what reached the socket before the reset
                }
            }, "the stalled connection was reset, not kept until its queue is written");
            // it leaves the channel off the event loop, so possibly just after its listeners ran
            Awaitility.await("the stalled connection leaves the channel").atMost(Duration.ofSeconds(10))
                    .until(channel::size, size -> size <= READERS);
            assertEquals(READERS, channel.size(), "a reader was cut as well");
            for (CompletableFuture<Integer> reader : readers) {
                assertEquals(EVENTS - 1, reader.get(120, TimeUnit.SECONDS), "a reader missed or reordered events");
            }
            System.out.printf("%d broadcasts to %d readers and one stalled client queued in %d ms%n", EVENTS,
                    READERS, sendMillis);
        } finally {
            channel.close();
            reading.shutdownNow();
        }
    }

    /** Reads until the "end" event; returns the last number seen, or -1 on a gap or reordering. */
    private static int lastInOrder(Stream<String> lines) {
        AtomicInteger expected = new AtomicInteger();
        AtomicInteger result = new AtomicInteger(-1);
        lines.filter(line -> line.startsWith("data:"))
                .map(line -> line.substring(line.charAt(5) == ' ' ? 6 : 5))
                .takeWhile(data -> !data.equals("end"))
                .forEach(data -> {
                    int n = Integer.parseInt(data.substring(0, data.indexOf(' ')));
                    if (n == expected.get() && result.get() == n - 1) {
                        result.set(n);
                    }
                    expected.incrementAndGet();
                });
        return result.get();
    }
}
