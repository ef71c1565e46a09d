package io.quarkiverse.ssechannels.test.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static io.quarkiverse.ssechannels.test.Streams.sendAll;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * History, replay after Last-Event-ID (header or query parameter), ids, bounds and the policy for unknown ids; for
 * streams opened from a resource method and from a Vert.x route alike, each in channels of its own.
 */
public class ReplayTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Multis.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.channels.\"small-streams\".history-size", "3")
            .overrideConfigKey("quarkus.sse-channels.channels.\"small-routes\".history-size", "3")
            .overrideConfigKey("quarkus.sse-channels.channels.\"none-streams\".history-size", "0")
            .overrideConfigKey("quarkus.sse-channels.channels.\"none-routes\".history-size", "0")
            .overrideConfigKey("quarkus.sse-channels.channels.\"small-multi\".history-size", "3")
            .overrideConfigKey("quarkus.sse-channels.channels.\"none-multi\".history-size", "0");

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void replaysWhatCameAfterTheLastEventIdThenGoesLive(String base) {
        Channel channel = sse.channel(Routes.name(base, "replay"));
        List<String> ids = sendAll(channel, "a", "b", "c", "d");
        try (SseClient client = SseClient.connect(stream(base, "replay"), Map.of("Last-Event-ID", ids.get(1)))) {
            assertEquals(List.of("c", "d"), data(client.nextEvents(2, Duration.ofSeconds(10))));
            awaitSize(channel, 1);
            String id = channel.send(SseMessage.data("e"));
            SseClient.Frame live = client.nextEvent(Duration.ofSeconds(10));
            assertEquals("e", live.data());
            assertEquals(id, live.id());
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void lastEventIdQueryParameterWorksLikeTheHeader(String base) {
        Channel channel = sse.channel(Routes.name(base, "query"));
        List<String> ids = sendAll(channel, "a", "b", "c");
        try (SseClient client = SseClient.connect(stream(base, "query", "?lastEventId=" + ids.get(0)))) {
            assertEquals(List.of("b", "c"), data(client.nextEvents(2, Duration.ofSeconds(10))));
        }
        // Vert.x reads parameter names in any case
        try (SseClient client = SseClient.connect(stream(base, "query", "?LASTEVENTID=" + ids.get(1)))) {
            assertEquals(List.of("c"), data(client.nextEvents(1, Duration.ofSeconds(10))));
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void callerIdsAreKeptAndAssignedIdsAreUnique(String base) {
        Channel channel = sse.channel(Routes.name(base, "ids"));
        assertEquals("mine", channel.send(SseMessage.builder().id("mine").data("x").build()));
        String a = channel.send(SseMessage.data("y"));
        String b = channel.send(SseMessage.data("z"));
        assertEquals(false, a.equals(b));
        assertNull(channel.send(SseMessage.comment("not an event")));
        assertEquals(3, channel.historySize(), "comments are not kept");
        try (SseClient client = SseClient.connect(stream(base, "ids"), Map.of("Last-Event-ID", "mine"))) {
            List<SseClient.Frame> events = client.nextEvents(2, Duration.ofSeconds(10));
            assertEquals(List.of(a, b), events.stream().map(SseClient.Frame::id).toList());
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void historyIsBoundedAndAnEvictedIdReplaysEverythingKept(String base) {
        Channel channel = sse.channel(Routes.name(base, "small"));
        List<String> ids = sendAll(channel, "1", "2", "3", "4", "5");
        assertEquals(3, channel.historySize());
        try (SseClient client = SseClient.connect(stream(base, "small"), Map.of("Last-Event-ID", ids.get(0)))) {
            assertEquals(List.of("3", "4", "5"), data(client.nextEvents(3, Duration.ofSeconds(10))));
        }
        try (SseClient client = SseClient.connect(stream(base, "small"),
                Map.of("Last-Event-ID", "never-sent"))) {
            assertEquals(List.of("3", "4", "5"), data(client.nextEvents(3, Duration.ofSeconds(10))));
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void noHistoryMeansLiveOnly(String base) {
        Channel channel = sse.channel(Routes.name(base, "none"));
        List<String> ids = sendAll(channel, "1", "2");
        assertEquals(0, channel.historySize());
        try (SseClient client = SseClient.connect(stream(base, "none"), Map.of("Last-Event-ID", ids.get(0)))) {
            awaitSize(channel, 1);
            channel.send(SseMessage.data("live"));
            assertEquals("live", client.nextEvent(Duration.ofSeconds(10)).data());
            channel.send(SseMessage.data("once"));
            assertEquals("once", client.nextEvent(Duration.ofSeconds(10)).data(), "each event once");
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void withoutLastEventIdNothingIsReplayed(String base) {
        Channel channel = sse.channel(Routes.name(base, "fresh"));
        sendAll(channel, "old");
        try (SseClient client = SseClient.connect(stream(base, "fresh"))) {
            awaitSize(channel, 1);
            channel.send(SseMessage.data("new"));
            assertEquals("new", client.nextEvent(Duration.ofSeconds(10)).data());
        }
    }

    /** @param query appended as is */
    private URI stream(String base, String channel, String... query) {
        return URI.create(root + base.substring(1) + "/channels/" + Routes.name(base, channel) + String.join("", query));
    }
}
