package io.quarkiverse.ssechannels.test.channel;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * One connection in two channels: its ids are cursors over both, so a reconnection from any event, replayed or live,
 * gets exactly what came after it, in publish order across the channels; for streams opened from a resource method
 * and from a Vert.x route alike.
 */
public class MultiChannelReplayTest {

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
    void replayComesInPublishOrderAndResumesExactlyFromAnyPointOfIt(String base) {
        Channel weather = sse.channel(Routes.name(base, "weather"));
        Channel news = sse.channel(Routes.name(base, "news"));
        URI both = stream(base, weather, news);
        String lastSeen;
        try (SseClient client = SseClient.connect(both)) {
            awaitSize(weather, 1);
            awaitSize(news, 1);
            weather.send(SseMessage.data("w1"));
            news.send(SseMessage.data("n1"));
            List<SseClient.Frame> seen = client.nextEvents(2, Duration.ofSeconds(10));
            assertEquals(List.of("w1", "n1"), data(seen));
            lastSeen = seen.get(1).lastEventId();
        }
        awaitSize(weather, 0);
        awaitSize(news, 0);
        // missed while away, interleaved across the two channels
        news.send(SseMessage.data("n2"));
        weather.send(SseMessage.data("w2"));
        news.send(SseMessage.data("n3"));
        List<SseClient.Frame> replay;
        try (SseClient client = SseClient.connect(both, Map.of("Last-Event-ID", lastSeen))) {
            replay = client.nextEvents(3, Duration.ofSeconds(10));
            assertEquals(List.of("n2", "w2", "n3"), data(replay), "publish order, not grouped by channel");
            assertEquals(Resume.EXACT, Streams.newest().resume());
        }
        // the stream breaks after each replayed event in turn: the resume goes on from there
        List<String> published = new ArrayList<>(data(replay));
        for (int i = 0; i < replay.size(); i++) {
            String from = replay.get(i).lastEventId();
            try (SseClient client = SseClient.connect(both, Map.of("Last-Event-ID", from))) {
                List<String> rest = published.subList(i + 1, published.size());
                assertEquals(rest, data(client.nextEvents(rest.size(), Duration.ofSeconds(10))), "from " + from);
                awaitSize(news, 1);
                news.send(SseMessage.data("live" + i));
                published.add("live" + i);
                assertEquals("live" + i, client.nextEvent(Duration.ofSeconds(10)).data(), "nothing twice");
            }
            awaitSize(news, 0);
        }
    }

    @ParameterizedTest
    @MethodSource(Routes.BASES)
    void idsAreCursorsOverTheChannelsAndSingleChannelIdsAreTheEventsOwn(String base) {
        Channel a = sse.channel(Routes.name(base, "a"));
        Channel b = sse.channel(Routes.name(base, "b"));
        try (SseClient single = SseClient.connect(stream(base, a));
                SseClient multi = SseClient.connect(stream(base, a, b))) {
            awaitSize(a, 2);
            awaitSize(b, 1);
            String id = a.send(SseMessage.builder().id("caller-1").data("x").build());
            assertEquals("caller-1", single.nextEvent(Duration.ofSeconds(10)).id(), "as sent, shared");
            String cursor = multi.nextEvent(Duration.ofSeconds(10)).id();
            assertNotEquals(id, cursor);
            assertEquals(2, cursor.split("\\.").length, "a position in each channel: " + cursor);
        }
    }

    private URI stream(String base, Channel... channels) {
        return URI.create(root + base.substring(1) + "/channels/"
                + String.join(",", java.util.Arrays.stream(channels).map(Channel::name).toList()));
    }
}
