package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * Stops the packaged application while clients are connected: every stream ends cleanly with a last retry hint,
 * nothing is logged as an error, and the stop does not wait for the clients.
 */
public class ShutdownIT {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    @Test
    void stopEndsEveryStreamWithARetryHint() throws Exception {
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0", "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString())
                .redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            int p = port.get(60, TimeUnit.SECONDS);
            SseClient weather = SseClient.connect(URI.create("http://localhost:" + p + "/sse/weather"));
            SseClient single = SseClient.connect(URI.create("http://localhost:" + p + "/sse"));
            weather.next(Duration.ofSeconds(10)); // OK: the connection is in the channel
            single.nextEvent(Duration.ofSeconds(10));

            long stopping = System.nanoTime();
            app.destroy(); // SIGTERM: a graceful stop
            for (SseClient client : List.of(weather, single)) {
                assertTrue(client.awaitEnd(Duration.ofSeconds(20)), "the stream ended");
                SseClient.Frame last = client.drain().stream().reduce((a, b) -> b)
                        .orElseThrow(() -> new AssertionError("no frame after the stop; read: [" + client.raw() + "]\n" + String.join("\n", output)));
                assertEquals(1000L, last.retry(), "the last frame tells the browser when to come back");
            }
            assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the application stopped");
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !reader.isAlive());
            assertFalse(output.stream().anyMatch(l -> l.contains("ERROR") || l.contains("Exception")),
                    "nothing logged as an error: " + String.join("\n", output));
            System.out.printf("stopped with two open streams in %d ms%n", stopMillis);
        } finally {
            app.destroyForcibly();
        }
    }
}
