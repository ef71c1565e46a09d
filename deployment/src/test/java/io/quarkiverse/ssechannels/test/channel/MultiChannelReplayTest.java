package io.quarkiverse.ssechannels.test.channel;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * One connection in two channels: after a reconnection it gets, in each channel, exactly what it missed, in order.
 */
public class MultiChannelReplayTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0");

    @TestHTTPResource("/streams/channels/weather,news")
    URI both;

    @Inject
    SseChannels sse;

    @Test
    void reconnectionReplaysWhatWasMissedInEachChannel() {
        Channel weather = sse.channel("weather");
        Channel news = sse.channel("news");
        String lastSeen;
        try (SseClient client = SseClient.connect(both)) {
            awaitSize(weather, 1);
            awaitSize(news, 1);
            weather.send(SseMessage.data("w1"));
            news.send(SseMessage.data("n1"));
            weather.send(SseMessage.data("w2"));
            List<SseClient.Frame> seen = client.nextEvents(3, Duration.ofSeconds(10));
            assertEquals(List.of("w1", "n1", "w2"), data(seen));
            lastSeen = seen.get(2).lastEventId();
        }
        awaitSize(weather, 0);
        awaitSize(news, 0);
        // missed while away, interleaved across the two channels
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Channel channel = i % 2 == 0 ? news : weather;
            String data = (channel == news ? "n" : "w") + (10 + i);
            channel.send(SseMessage.data(data));
            missed.add(data);
        }
        try (SseClient client = SseClient.connect(both, Map.of("Last-Event-ID", lastSeen))) {
            List<String> replayed = data(client.nextEvents(missed.size(), Duration.ofSeconds(10)));
            // each channel replays its own in order; weather joins first, so its events come first
            assertEquals(missed.stream().filter(d -> d.startsWith("w")).toList(),
                    replayed.subList(0, 2));
            assertEquals(missed.stream().filter(d -> d.startsWith("n")).toList(),
                    replayed.subList(2, 5));
            awaitSize(news, 1);
            news.send(SseMessage.data("live"));
            assertEquals("live", client.nextEvent(Duration.ofSeconds(10)).data(), "nothing replayed twice");
        }
    }
}
