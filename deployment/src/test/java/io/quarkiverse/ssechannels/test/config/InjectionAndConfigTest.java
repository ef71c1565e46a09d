package io.quarkiverse.ssechannels.test.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Named channels are shared beans, configured per name; global keys apply to connections.
 */
public class InjectionAndConfigTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Holder.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.ping-interval", "100ms")
            .overrideConfigKey("quarkus.sse-channels.history-size", "7")
            .overrideConfigKey("quarkus.sse-channels.channels.\"tiny\".history-size", "2");

    @Inject
    @ChannelName("tiny")
    Channel tiny;

    @Inject
    @ChannelName("other")
    Channel other;

    @Inject
    Holder holder;

    @Inject
    SseChannels sse;

    @TestHTTPResource("/streams/channels/tiny")
    URI tinyStream;

    @Test
    void injectionPointsOfOneNameShareOneChannel() {
        assertSame(tiny, holder.tiny);
        assertSame(tiny, sse.channel("tiny"));
        assertSame(tiny, Arc.container().select(Channel.class, ChannelName.Literal.of("tiny")).get());
        assertEquals("tiny", tiny.name());
    }

    @Test
    void historySizeComesFromTheChannelsKeyElseTheGlobalOne() {
        for (int i = 0; i < 10; i++) {
            tiny.send(SseMessage.data("t" + i));
            other.send(SseMessage.data("o" + i));
        }
        assertEquals(2, tiny.historySize());
        assertEquals(7, other.historySize());
    }

    @Test
    void pingIntervalComesFromConfiguration() {
        try (SseClient client = SseClient.connect(tinyStream)) {
            SseClient.Frame position = client.next(Duration.ofSeconds(10));
            assertFalse(position.isEvent(), "a stream in a channel starts with its position, which is no event");
            SseClient.Frame ping = client.next(Duration.ofSeconds(10));
            assertEquals(List.of(" ping"), ping.comments());
        }
    }

    @Singleton
    public static class Holder {
        @Inject
        @ChannelName("tiny")
        Channel tiny;
    }
}
