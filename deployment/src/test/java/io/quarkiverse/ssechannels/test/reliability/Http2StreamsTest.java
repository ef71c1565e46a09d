package io.quarkiverse.ssechannels.test.reliability;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.FrameParser;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;

/**
 * Over HTTP/2 (cleartext, with prior knowledge), a client's streams share one connection: a stream whose client stops
 * reading is cut by resetting that stream alone, and the other streams on the connection go on getting every event.
 */
public class Http2StreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PADDING = "p".repeat(8 * 1024);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Multis.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "64K")
            .overrideConfigKey("quarkus.sse-channels.history-size", "0")
            .overrideConfigKey("quarkus.log.category.\"io.quarkiverse.ssechannels\".level", "DEBUG");

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void cuttingAStalledStreamLeavesTheOtherStreamsOfItsConnection(String base) throws Exception {
        Channel channel = sse.channel(Routes.name(base, "h2"));
        String path = base + "/channels/" + channel.name();
        Vertx vertx = Vertx.vertx();
        try {
            // one connection for both streams, whose window (as a browser's) is far larger than a stream's: what the
            // stalled stream holds unread does not stop the other
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(false).setHttp2MaxPoolSize(1).setDefaultPort(root.getPort())
                    .setHttp2ConnectionWindowSize(16 * 1024 * 1024));
            List<SseClient.Frame> read = new CopyOnWriteArrayList<>();
            List<Throwable> readerFailures = new CopyOnWriteArrayList<>();
            FrameParser parser = new FrameParser(read::add);
            HttpClientResponse reader = open(http, path);
            reader.exceptionHandler(readerFailures::add);
            reader.handler(buffer -> parser.feed(buffer.toString()));
            HttpClientResponse stalled = open(http, path);
            stalled.pause();
            assertSame(reader.request().connection(), stalled.request().connection(), "streams of one connection");
            assertEquals(HttpVersion.HTTP_2, reader.version());
            awaitSize(channel, 2);

            // in rounds the reading stream keeps up with, well under max-queued-bytes, until the stalled one is cut
            int published = 0;
            for (int round = 0; channel.size() == 2 && round < 200; round++) {
                for (int i = 0; i < 4; i++) {
                    channel.send(SseMessage.data("e" + published++ + "-" + PADDING));
                }
                int sent = published;
                await(() -> events(read).size() >= sent || channel.size() < 2, channel, read, readerFailures);
            }
            await(() -> channel.size() == 1, channel, read, readerFailures);
            channel.send(SseMessage.data("after the cut"));
            published++;
            int expected = published;
            await(() -> events(read).size() >= expected || !readerFailures.isEmpty(), channel, read, readerFailures);
            assertEquals(List.of(), readerFailures, "the reading stream failed");
            List<SseClient.Frame> events = events(read);
            assertEquals(expected, events.size());
            assertEquals("after the cut", events.get(events.size() - 1).data());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Waits for the condition; a timeout says what the channel holds and what the reading stream got. */
    private static void await(Callable<Boolean> condition, Channel channel, List<SseClient.Frame> read,
            List<Throwable> readerFailures) {
        try {
            Awaitility.await().atMost(WAIT).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the channel has " + channel.size() + " connections; the reading stream got "
                    + events(read).size() + " events, failures " + readerFailures, e);
        }
    }

    private static List<SseClient.Frame> events(List<SseClient.Frame> frames) {
        return frames.stream().filter(SseClient.Frame::isEvent).toList();
    }

    private static HttpClientResponse open(HttpClient http, String path) throws Exception {
        return http.request(HttpMethod.GET, "localhost", path)
                .compose(request -> request.putHeader("Accept", "text/event-stream").send())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
