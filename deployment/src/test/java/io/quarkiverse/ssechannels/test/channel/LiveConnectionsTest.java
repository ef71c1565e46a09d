package io.quarkiverse.ssechannels.test.channel;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
 * A channel keeps its live connections in slots that a leave fills with the last one: whatever order streams join
 * and leave in, every stream still in the channel gets every event. Seeded ({@code -Dlive.seed=N} repeats a run);
 * the seed and what the client received are in every failure message.
 */
public class LiveConnectionsTest {

    private static final long SEED = Long.getLong("live.seed", 20261204L);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0");

    @TestHTTPResource("/streams/channels/slots")
    URI slots;

    @Inject
    SseChannels sse;

    @Test
    void everyStreamStillInTheChannelGetsEveryEventWhateverOrderTheyLeaveIn() {
        Random random = new Random(SEED);
        Channel channel = sse.channel("slots");
        List<SseClient> clients = new ArrayList<>();
        int event = 0;
        try {
            // grows past the first room and back below a quarter of it, twice
            for (int round = 0; round < 2; round++) {
                while (clients.size() < 20) {
                    clients.add(SseClient.connect(slots));
                    awaitSize(channel, clients.size());
                }
                while (clients.size() > 1) {
                    SseClient leaving = clients.remove(random.nextInt(clients.size()));
                    leaving.close();
                    awaitSize(channel, clients.size());
                    String data = "event " + event++;
                    channel.send(SseMessage.data(data));
                    for (SseClient client : clients) {
                        SseClient.Frame frame;
                        try {
                            frame = client.nextEvent(WAIT);
                        } catch (AssertionError e) {
                            throw new AssertionError("seed " + SEED + ": " + data + " did not arrive", e);
                        }
                        assertEquals(data, frame.data(), "seed " + SEED + ": " + client.raw());
                    }
                }
            }
        } finally {
            clients.forEach(SseClient::close);
        }
    }
}
