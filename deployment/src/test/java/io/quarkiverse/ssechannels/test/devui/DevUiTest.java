package io.quarkiverse.ssechannels.test.devui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.NodeProcess;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusDevModeTest;

/**
 * The Dev UI page in headless Chromium, against an application in dev mode: its counts follow the clients that come
 * and go, and its form sends an event that a connected client receives and the page then lists among the channel's
 * last events. Leaves a screenshot in {@code target/dev-ui.png} (the one on the observability page).
 */
public class DevUiTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PORT = freePort();

    @RegisterExtension
    static final QuarkusDevModeTest APP = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Streams.Flood.class)
                    .addAsResource(new StringAsset("quarkus.http.port=" + PORT + "\n"
                            + "quarkus.sse-channels.channels.weather.history-size=20\n"), "application.properties"));

    @Test
    void pageFollowsClientsAndSendsToThem() throws Exception {
        Path screenshot = Path.of("target", "dev-ui.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        try (NodeProcess page = new NodeProcess("devui-client.mjs", uri("/q/dev-ui/quarkus-sse-channels/channels"))) {
            page.await(WAIT, () -> page.values("open").contains("0"));
            try (SseClient weather = SseClient.connect(URI.create(uri("/streams/channels/weather")));
                    SseClient alice = SseClient.connect(URI.create(uri("/streams/user/alice")));
                    SseClient alsoAlice = SseClient.connect(URI.create(uri("/streams/user/alice")));
                    SseClient bob = SseClient.connect(URI.create(uri("/streams/user/bob")))) {
                page.await(WAIT, () -> page.values("named").contains("weather:1")
                        && page.values("stores").contains("users:2:3") && page.values("open").contains("4"));

                page.send("{\"send\": {\"event\": \"test\", \"data\": \"sent from the Dev UI\"}}");
                SseClient.Frame received = weather.nextEvent(WAIT);
                assertEquals("test", received.event(), received::toString);
                assertEquals("sent from the Dev UI", received.data(), received::toString);
                // the frame as written on the wire, newest first
                page.await(WAIT, () -> page.values("events")
                        .contains("event: test\ndata: sent from the Dev UI\nid: " + received.id()));

                page.send("{\"screenshot\": \"" + screenshot + "\"}");
                page.await(WAIT, () -> page.values("screenshot").contains(screenshot.toString()));
                assertTrue(Files.size(screenshot) > 0, "an empty screenshot");
            }
            // shown again after the counts rose, not the page's first look
            page.await(WAIT, () -> after(page.values("named"), "weather:1", "weather:0")
                    && after(page.values("open"), "4", "0"));
            assertEquals(List.of(), page.values("pageError"), page.transcript());
            assertEquals(List.of(), page.values("commandError"), page.transcript());
        }
    }

    /** @return whether the page showed {@code then} after it showed {@code first} */
    private static boolean after(List<String> shown, String first, String then) {
        int at = shown.indexOf(first);
        return at >= 0 && shown.subList(at + 1, shown.size()).contains(then);
    }

    private static String uri(String path) {
        return "http://localhost:" + PORT + path;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
