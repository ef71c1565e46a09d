package io.quarkiverse.ssechannels.test.reliability;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Connection limits answer 503 with Retry-After and keep nothing; hostile Last-Event-IDs are ignored; oversized
 * data is refused.
 */
public class LimitsTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Multis.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.max-connections", "3")
            .overrideConfigKey("quarkus.sse-channels.retry-after", "7")
            .overrideConfigKey("quarkus.sse-channels.max-data-size", "1K")
            .overrideConfigKey("quarkus.sse-channels.channels.\"capped-streams\".max-connections", "1")
            .overrideConfigKey("quarkus.sse-channels.channels.\"capped-routes\".max-connections", "1")
            .overrideConfigKey("quarkus.sse-channels.channels.\"capped-multi\".max-connections", "1")
            .overrideConfigKey("quarkus.log.category.\"io.quarkiverse.ssechannels\".level", "DEBUG")
            .setLogRecordPredicate(r -> r.getLoggerName().equals(SseChannelsImpl.class.getName()))
            .assertLogRecords(LimitsTest::hostileIdsAreLoggedEscaped);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void channelAndApplicationLimitsAnswer503AndKeepNothing(String base) throws Exception {
        String capped = Routes.name(base, "capped");
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> impl.openConnections() == 0);
        Channel channel = sse.channel(capped);
        try (SseClient first = SseClient.connect(stream(base, "/reserved/" + capped))) {
            awaitSize(channel, 1);
            int timers = impl.pendingTimers();
            HttpResponse<String> full = get(base + "/reserved/" + capped);
            assertEquals(503, full.statusCode());
            assertEquals("7", full.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(full.body().contains("[" + capped + "]"), full.body());
            assertEquals(1, channel.size());
            assertEquals(1, impl.openConnections(), "the refused request left no connection");
            assertEquals(timers, impl.pendingTimers(), "and no timer");

            try (SseClient second = SseClient.connect(stream(base, "/open"));
                    SseClient third = SseClient.connect(stream(base, "/open"))) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> impl.openConnections() == 3);
                HttpResponse<String> tooMany = get(base + "/open");
                assertEquals(503, tooMany.statusCode());
                assertEquals("7", tooMany.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(tooMany.body().contains("quarkus.sse-channels.max-connections"), tooMany.body());
                assertEquals(3, impl.openConnections());
                // a refused stream of a temporary channel creates no channel, and no timer
                int before = impl.pendingTimers();
                assertEquals(503, get(base + "/user/refused-" + base.substring(1)).statusCode());
                assertTrue(users.get("refused-" + base.substring(1)).isEmpty());
                assertEquals(before, impl.pendingTimers());
            }
            // a connection opened elsewhere has its head already: it is told when to come back, and ends cleanly
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> impl.openConnections() == 1);
            try (SseClient late = SseClient.connect(stream(base, "/channels/" + capped))) {
                assertEquals(200, late.status());
                assertTrue(late.awaitEnd(Duration.ofSeconds(10)), "the refused stream ends: " + late.raw());
                assertTrue(late.raw().contains("retry: 7000\n"), late.raw());
                assertEquals(1, channel.size());
            }
        }
        // places are given back when connections close
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> impl.openConnections() == 0);
        try (SseClient again = SseClient.connect(stream(base, "/reserved/" + capped))) {
            assertEquals(200, again.status());
            awaitSize(channel, 1);
        }
    }

    /**
     * An id that cannot be read is not trusted, but not taken for no id either: the client gets everything the
     * channel holds, and the resume is a gap.
     */
    @Test
    void overlongOrControlCharacterLastEventIdsAreIgnoredAndResumeWithAGap() {
        Channel channel = sse.channel("hostile");
        String id = channel.send(SseMessage.data("old"));
        String tooLong = id + "x".repeat(2000);
        try (SseClient client = SseClient.connect(stream("/streams", "/channels/hostile"),
                Map.of("Last-Event-ID", tooLong))) {
            assertEquals("old", client.nextEvent(Duration.ofSeconds(10)).data(), "everything held is replayed");
            assertNull(Streams.newest().lastEventId());
            assertEquals(Resume.GAP, Streams.newest().resume());
            channel.send(SseMessage.data("live"));
            assertEquals("live", client.nextEvent(Duration.ofSeconds(10)).data());
        }
        String withControl = URLEncoder.encode(id + "\u0001\nFORGED", StandardCharsets.UTF_8);
        try (SseClient client = SseClient.connect(stream("/streams", "/channels/hostile?lastEventId=" + withControl))) {
            assertEquals("old", client.nextEvent(Duration.ofSeconds(10)).data());
            assertNull(Streams.newest().lastEventId());
            assertEquals(Resume.GAP, Streams.newest().resume());
        }
    }

    /**
     * A stray {@code %} makes the query string undecodable: the request is answered 400 before any stream starts,
     * and no place of max-connections is taken.
     */
    @Test
    void aQueryStringThatCannotBeDecodedIsRefusedBeforeAnyStream() throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> impl.openConnections() == 0);
        for (String query : List.of("lastEventId=%zz", "x=%")) {
            try (Socket socket = RawHttp.get(root, "/streams/channels/undecodable?" + query, Map.of())) {
                socket.setSoTimeout(10_000);
                String head = RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
                assertTrue(head.startsWith("HTTP/1.1 400"), head);
            }
            assertEquals(0, impl.openConnections(), "no place taken for " + query);
        }
    }

    @Test
    void dataOverTheLimitIsRefusedAtSend() {
        Channel channel = sse.channel("big");
        channel.send(SseMessage.data("é".repeat(512))); // 1024 bytes: at the limit
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> channel.send(SseMessage.data("é".repeat(513))));
        assertTrue(e.getMessage().contains("1026 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("quarkus.sse-channels.max-data-size"), e.getMessage());
        assertEquals(1, channel.historySize(), "nothing of the refused event was kept");
    }

    /** What reaches the log is escaped and bounded: no forged line, no control character. */
    static void hostileIdsAreLoggedEscaped(List<LogRecord> records) {
        List<String> logged = records.stream().map(r -> ((ExtLogRecord) r).getFormattedMessage())
                .filter(m -> m.contains("Last-Event-ID")).toList();
        assertTrue(logged.stream().anyMatch(m -> m.contains("\\u0001\\nFORGED")), logged.toString());
        assertTrue(logged.stream().allMatch(m -> m.chars().noneMatch(c -> c < 0x20) && m.length() < 400),
                logged.toString());
    }

    private URI stream(String base, String path) {
        return URI.create(root + base.substring(1) + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(root + path.substring(1))).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
