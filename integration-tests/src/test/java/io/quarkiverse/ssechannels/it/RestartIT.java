package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * A client that saw events before a restart comes back to the new process with its last event id: the new
 * process's ids never match the old ones, so it gets everything the new process published, and is told of the gap.
 */
public class RestartIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aClientFromBeforeARestartLosesNothingTheNewProcessHolds() throws Exception {
        String lastSeen;
        List<String> before = new ArrayList<>();
        try (PackagedApp first = PackagedApp.start()) {
            try (SseClient client = SseClient.connect(first.uri("/sse/feed"))) {
                client.next(WAIT); // OK
                client.next(WAIT); // the position: the connection is in both channels
                for (int i = 1; i <= 3; i++) {
                    before.add(first.post("/weather", "before-" + i));
                }
                List<SseClient.Frame> seen = client.nextEvents(3, WAIT);
                lastSeen = seen.get(2).lastEventId();
            }
            first.stop();
        }
        try (PackagedApp second = PackagedApp.start()) {
            List<String> published = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                String data = "after-" + i;
                ids.add(second.post(i % 2 == 0 ? "/weather" : "/news", data));
                published.add(data);
            }
            assertTrue(Collections.disjoint(before, ids), "ids of the two processes differ: " + before + " " + ids);
            try (SseClient client = SseClient.connect(second.uri("/sse/feed"), Map.of("Last-Event-ID", lastSeen))) {
                assertEquals("gap", client.nextEvent(WAIT).event(), "the demo tells of the gap: " + client.raw());
                List<String> replayed = client.nextEvents(8, WAIT).stream().map(SseClient.Frame::data).toList();
                assertEquals(published, replayed, "all eight, in publish order: " + client.raw());
            }
        }
    }
}
