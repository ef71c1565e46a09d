package io.quarkiverse.ssechannels.test.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * What a connection puts on the wire: the response head, every field, multi-line data, JSON data.
 */
public class WireFormatTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Resource.class, Point.class))
            .overrideConfigKey("quarkus.http.test-port", "0");

    @TestHTTPResource("/wire")
    URL url;

    @Inject
    SseChannels sse;

    @Test
    void headIsSentBeforeAnyEventWithStreamingHeaders() throws Exception {
        try (SseClient client = SseClient.connect(url.toURI())) {
            // connect() returns once the head arrived, and the resource sends nothing before POST /wire/send
            assertEquals(200, client.status());
            assertEquals("text/event-stream", client.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(client.headers().firstValue("Cache-Control").orElseThrow().contains("no-cache"));
            assertEquals("no", client.headers().firstValue("X-Accel-Buffering").orElseThrow());
            assertFalse(client.headers().firstValue("Connection").isPresent(), "no Connection header (HTTP/2)");
            assertEquals("", client.raw());
        }
    }

    @Test
    void everyFieldAndMultiLineData() throws Exception {
        try (SseClient client = SseClient.connect(url.toURI())) {
            awaitConnections(1);
            Resource.last.send(SseMessage.builder().comment("hello").event("greeting").id("7").retry(1500L)
                    .data("one\ntwo\r\nthree\rfour\n\rfive").build());
            Resource.last.send(SseMessage.data(" leading space"));
            Resource.last.send(SseMessage.data(""));
            Resource.last.send(SseMessage.builder().event("no-data").build());
            Resource.last.sendComment("just a comment");
            Resource.last.sendData(new Point(1, 2));

            SseClient.Frame first = client.nextEvent(Duration.ofSeconds(10));
            assertEquals(List.of(" hello"), first.comments());
            assertEquals("greeting", first.event());
            assertEquals("7", first.id());
            assertEquals(1500L, first.retry());
            assertEquals("one\ntwo\nthree\nfour\n\nfive", first.data());
            assertEquals(" leading space", client.nextEvent(Duration.ofSeconds(5)).data());
            assertEquals("", client.nextEvent(Duration.ofSeconds(5)).data());
            SseClient.Frame noData = client.nextEvent(Duration.ofSeconds(5));
            assertEquals("no-data", noData.event());
            assertEquals("", noData.data());
            SseClient.Frame comment = client.next(Duration.ofSeconds(5));
            assertEquals(List.of(" just a comment"), comment.comments());
            assertFalse(comment.isEvent());
            assertEquals("{\"x\":1,\"y\":2}", client.nextEvent(Duration.ofSeconds(5)).data());

            // the id comes last: a channel writes it, or a connection's cursor, after the shared part of the frame
            assertTrue(client.raw().startsWith(": hello\nevent: greeting\nretry: 1500\n"
                    + "data: one\ndata: two\ndata: three\ndata: four\ndata:\ndata: five\nid: 7\n\n"), client.raw());
        }
    }

    @Test
    void sendingOnAClosedConnectionIsANoOp() throws Exception {
        try (SseClient client = SseClient.connect(url.toURI())) {
            awaitConnections(1);
            Connection connection = Resource.last;
            connection.close();
            connection.close();
            assertFalse(connection.isOpen());
            connection.send(SseMessage.data("ignored"));
            assertTrue(client.awaitEnd(Duration.ofSeconds(10)));
            assertFalse(client.raw().contains("ignored"));
        }
    }

    @Test
    void unserialisableDataIsRefusedAtSend() throws Exception {
        try (SseClient client = SseClient.connect(url.toURI())) {
            awaitConnections(1);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Resource.last.sendData(new Object()));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        }
    }

    private void awaitConnections(int n) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sse.openConnections() == n);
    }

    public record Point(int x, int y) {
    }

    @Path("/wire")
    public static class Resource {
        static volatile Connection last;

        @Inject
        SseChannels sse;

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void open(@Context SseEventSink sink) {
            last = sse.open(sink, ConnectionOptions.defaults().withoutPing());
        }
    }
}
