package io.quarkiverse.ssechannels.test.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * The getting-started page's resource does what the page says: a client gets the weather events published, and
 * after reconnecting with its last event id, the ones it missed; a user's stream gets that user's events only.
 */
public class GettingStartedTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(WeatherResource.class))
            .overrideConfigKey("quarkus.http.test-port", "0");

    @TestHTTPResource("/")
    URI root;

    @Inject
    @ChannelName("weather")
    Channel weather;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    @Test
    void clientsGetTheForecastsAndWhatTheyMissed() throws Exception {
        String seen;
        try (SseClient client = SseClient.connect(root.resolve("sse/weather"))) {
            awaitSize(weather, 1);
            String id = post("weather", "sunny");
            SseClient.Frame event = client.nextEvent(WAIT);
            assertEquals("weather-event", event.event(), event::toString);
            assertEquals("sunny", event.data(), event::toString);
            assertEquals(id, event.id(), "publish answers the event's id");
            seen = event.id();
        }
        awaitSize(weather, 0);
        post("weather", "rain");
        try (SseClient client = SseClient.connect(root.resolve("sse/weather"), Map.of("Last-Event-ID", seen))) {
            assertEquals("rain", client.nextEvent(WAIT).data(), client::raw);
        }
    }

    @Test
    void aUserGetsTheirOwnEvents() throws Exception {
        try (SseClient alice = SseClient.connect(root.resolve("sse/user/alice"));
                SseClient bob = SseClient.connect(root.resolve("sse/user/bob"))) {
            for (String user : List.of("alice", "bob")) {
                Awaitility.await().atMost(WAIT).until(() -> users.get(user).map(Channel::size).orElse(0) == 1);
            }
            post("user/bob", "for bob");
            post("user/alice", "for alice");
            assertEquals("for alice", alice.nextEvent(WAIT).data(), alice::raw);
            assertEquals("for bob", bob.nextEvent(WAIT).data(), bob::raw);
        }
    }

    private static void awaitSize(Channel channel, int size) {
        Awaitility.await().atMost(WAIT).until(() -> channel.size() == size);
    }

    private String post(String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(root.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return response.body();
    }
}
