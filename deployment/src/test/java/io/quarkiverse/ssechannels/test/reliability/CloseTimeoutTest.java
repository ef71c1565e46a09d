package io.quarkiverse.ssechannels.test.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.Socket;
import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A stream the server ends while its client has stopped reading still ends: after close-timeout it is cut, where
 * before its end waited forever behind data the socket would not take.
 */
public class CloseTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            // so that only the close can end this stream, not the slow-consumer limit
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "256M")
            .overrideConfigKey("quarkus.sse-channels.close-timeout", "500ms");

    @TestHTTPResource("/streams/open")
    URI open;

    @Inject
    SseChannels sse;

    @Test
    void closingAStreamWhoseClientStoppedReadingCompletes() throws Exception {
        try (Socket stalled = RawHttp.stalledClient(open)) {
            Connection connection = Streams.rawConnection();
            String chunk = "y".repeat(64 * 1024);
            for (int i = 0; i < 256; i++) {
                connection.sendData(chunk);
            }
            connection.close();
            assertFalse(connection.isOpen());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Streams.CLOSED.contains(connection.id()));
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> ((SseChannelsImpl) sse).openConnections() == 0);
        }
    }
}
