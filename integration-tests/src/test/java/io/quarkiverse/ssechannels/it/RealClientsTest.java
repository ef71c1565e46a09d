package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The demo driven by clients nobody here wrote: the npm {@code eventsource} package and headless Chromium. Streams
 * time out every second, so both clients reconnect on their own, with their own Last-Event-ID, while events keep
 * coming; each must see every event exactly once, in order.
 */
@QuarkusTest
@TestProfile(RealClientsTest.ShortStreams.class)
public class RealClientsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public static class ShortStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.sse-channels.timeout", "1s");
        }
    }

    @Test
    void npmEventSourceReconnectsAndLosesNothing() throws Exception {
        try (NodeProcess client = new NodeProcess("eventsource-client.mjs", base() + "/sse/weather", "weather-event")) {
            Awaitility.await().atMost(WAIT).until(() -> !client.values("open").isEmpty());
            List<String> sent = publishAcrossReconnections("es", () -> client.values("open").size());
            Awaitility.await().atMost(WAIT).until(() -> client.values("data").size() >= sent.size());
            assertEquals(sent, client.values("data"), client.transcript());
        }
    }

    @Test
    void chromiumPageShowsEveryEventAcrossReconnections() throws Exception {
        try (NodeProcess browser = new NodeProcess("browser-client.mjs", base() + "/")) {
            Awaitility.await().atMost(WAIT).until(() -> browser.values("status").contains("open"));
            assertEquals(List.of("Weather"), browser.values("title"), browser.transcript());
            List<String> sent = publishAcrossReconnections("page",
                    () -> (int) browser.values("status").stream().filter("open"::equals).count());
            Awaitility.await().atMost(WAIT).until(() -> browser.values("item").size() >= sent.size());
            assertEquals(sent, browser.values("item"), browser.transcript());
        }
    }

    /**
     * Publishes events in three rounds: some while the client is connected, then, once its stream timed out, some
     * while it is away, which only a replay after its reconnection can deliver.
     */
    private static List<String> publishAcrossReconnections(String prefix, IntSupplier opens)
            throws InterruptedException {
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            int opened = round + 1;
            Awaitility.await().atMost(WAIT).until(() -> opens.getAsInt() >= opened);
            for (int i = 0; i < 6; i++) {
                sent.add(post("/weather", prefix, sent.size()));
                // pacing, not waiting: events go out over the second the stream lives
                Thread.sleep(100);
            }
            DemoContractTest.awaitCount("/weather/connections", 0);
            for (int i = 0; i < 2; i++) {
                sent.add(post("/weather", prefix, sent.size()));
            }
        }
        return sent;
    }

    private static String post(String path, String prefix, int n) {
        String data = prefix + "-" + n;
        DemoContractTest.post(path, data);
        return data;
    }

    private static String base() {
        return "http://localhost:" + RestAssured.port;
    }
}
