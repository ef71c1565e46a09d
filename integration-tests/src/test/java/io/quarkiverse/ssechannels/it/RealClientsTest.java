package io.quarkiverse.ssechannels.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.NodeProcess;
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
            await(client, () -> !client.values("open").isEmpty());
            List<String> sent = publishAcrossReconnections("es", client, () -> client.values("open").size());
            await(client, () -> client.values("data").size() >= sent.size());
            assertEquals(sent, client.values("data"), client.transcript());
        }
    }

    @Test
    void chromiumPageShowsEveryEventAcrossReconnections() throws Exception {
        try (NodeProcess browser = new NodeProcess("browser-client.mjs", base() + "/")) {
            // the page's stream can open before the page has finished loading and its title is printed
            await(browser, () -> browser.values("status").contains("open") && !browser.values("title").isEmpty());
            assertEquals(List.of("Weather"), browser.values("title"), browser.transcript());
            List<String> sent = publishAcrossReconnections("page", browser, () -> opens(browser));
            await(browser, () -> browser.values("item").size() >= sent.size());
            assertEquals(sent, browser.values("item"), browser.transcript());
            assertEquals(List.of(), browser.values("message"), "positions dispatch no event: " + browser.transcript());
        }
    }

    /**
     * The page's first stream ends before anything is published: the position it was told when the stream opened
     * is its Last-Event-ID, so what is published while it is away reaches it after its reconnection.
     */
    @Test
    void chromiumResumesFromWhereAStreamWithoutEventsBegan() throws Exception {
        try (NodeProcess browser = new NodeProcess("browser-client.mjs", base() + "/")) {
            await(browser, () -> opens(browser) >= 1);
            List<String> sent = new ArrayList<>();
            for (int attempt = 0;; attempt++) {
                // a whole stream with nothing published, then a publication while the page is away
                DemoContractTest.awaitCount("/weather/connections", 1);
                DemoContractTest.awaitCount("/weather/connections", 0);
                sent.add(post("/weather", "quiet", attempt));
                if (given().get("/weather/connections").then().extract().as(Integer.class) == 0) {
                    break;
                }
                // the page came back before the event: it went out live; try with the next stream
                assertTrue(attempt < 5, "never published while the page was away: " + browser.transcript());
            }
            await(browser, () -> browser.values("item").size() >= sent.size());
            assertEquals(sent, browser.values("item"), browser.transcript());
            assertEquals(List.of(), browser.values("message"), "positions dispatch no event: " + browser.transcript());
        }
    }

    private static int opens(NodeProcess browser) {
        return (int) browser.values("status").stream().filter("open"::equals).count();
    }

    private static void await(NodeProcess client, Callable<Boolean> condition) {
        client.await(WAIT, condition);
    }

    /**
     * Publishes events in three rounds: some while the client is connected, then, once its stream timed out, some
     * while it is away, which only a replay after its reconnection can deliver.
     */
    private static List<String> publishAcrossReconnections(String prefix, NodeProcess client, IntSupplier opens)
            throws InterruptedException {
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            int opened = round + 1;
            await(client, () -> opens.getAsInt() >= opened);
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
