package io.quarkiverse.ssechannels.test.multi;

import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * What is particular to streams a resource method returns as a {@code Multi}: a blocking method resumes like one on
 * the event loop, clients that leave mid-write log nothing (RESTEasy Reactive's own {@code Multi} handling logs each
 * at ERROR), and the mistakes are explained. The behaviour shared with the other ways of opening a stream is tested
 * through {@link Multis} by the tests parameterized over all of them.
 */
public class ReturnedStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SUBSCRIBED = "without operators, and do not subscribe to it";

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Multis.class, Mistakes.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "64K")
            .overrideConfigKey("quarkus.sse-channels.retry-after", "7")
            .overrideConfigKey("quarkus.sse-channels.channels.capped.max-connections", "1")
            .setLogRecordPredicate(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(ReturnedStreamsTest::onlyTheDeliberateMistakeIsLoud);

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @Test
    void aBlockingResourceMethodResumesFromTheLastEventId() {
        Channel channel = sse.channel("blocking");
        List<String> ids = Streams.sendAll(channel, "a", "b", "c");
        try (SseClient client = SseClient.connect(root.resolve("/returned/blocking/blocking"),
                Map.of("Last-Event-ID", ids.get(0)))) {
            assertEquals(200, client.status(), client.raw());
            assertEquals(List.of(" OK"), client.next(WAIT).comments(), client.raw());
            assertEquals(List.of("b", "c"), data(client.nextEvents(2, WAIT)));
            channel.send(SseMessage.data("d"));
            assertEquals("d", client.nextEvent(WAIT).data(), client.raw());
        }
    }

    /**
     * Clients leave streams in the middle of writes, and stop reading and get cut, while a channel floods them,
     * through streams returned on the event loop and on a worker: every stream ends, and nothing is logged at WARN or
     * ERROR (see the extension's log assertion).
     */
    @Test
    void clientsThatLeaveMidWriteLogNothingLoud() throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Channel busy = sse.channel("busy");
        try (Streams.Flood flood = new Streams.Flood(busy, 2000)) {
            for (int i = 0; i < 60; i++) {
                // on the event loop, or on a worker
                String path = i % 2 == 0 ? "/multi/bare/busy" : "/returned/blocking/busy";
                Socket socket = i % 3 == 0 ? RawHttp.stalledClient(root.resolve(path))
                        : RawHttp.get(root, path, Map.of());
                try (socket) {
                    if (i % 3 != 0) {
                        socket.setSoTimeout(10_000);
                        int bytes = 1 + i * 997;
                        assertEquals(bytes, socket.getInputStream().readNBytes(bytes).length, "the stream ended early");
                    }
                }
            }
        }
        Awaitility.await("every stream ended").atMost(Duration.ofSeconds(60))
                .until(() -> busy.size() == 0 && impl.openConnections() == 0);
    }

    @Test
    void aFullChannelAnswers503FromAWorkerAndKeepsNothing() throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Channel capped = sse.channel("capped");
        try (SseClient first = SseClient.connect(root.resolve("/returned/reserved/capped"))) {
            Streams.awaitSize(capped, 1);
            HttpResponse<String> full = Streams.get(root, "/returned/reserved/capped");
            assertEquals(503, full.statusCode(), full.body());
            assertEquals("7", full.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(1, capped.size());
            assertEquals(1, impl.openConnections(), "the refused request left no connection");
        }
        Awaitility.await().atMost(WAIT).until(() -> impl.openConnections() == 0 && capped.size() == 0);
    }

    /** An application's own {@code Multi} of events is left to RESTEasy Reactive, as without the extension. */
    @Test
    void aPlainMultiOfEventsIsServedAsBefore() {
        try (SseClient client = SseClient.connect(root.resolve("/returned/plain"))) {
            assertEquals(200, client.status(), client.raw());
            assertEquals(List.of("a", "b"), data(client.nextEvents(2, WAIT)));
            assertTrue(client.awaitEnd(WAIT), client.raw());
        }
        assertEquals(0, ((SseChannelsImpl) sse).openConnections(), "no connection of the extension's");
    }

    /** Off any request (here the test's own thread, without a request scope), as for {@code open(sink)}. */
    @Test
    void aStreamMadeOutsideARequestIsRefusedWithAnExplanation() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> sse.multi(c -> {
        }));
        assertTrue(refused.getMessage().contains("call them from the resource method that returns the Multi"),
                refused.getMessage());
        refused = assertThrows(IllegalStateException.class, () -> sse.channel("elsewhere").multi(c -> {
        }));
        assertTrue(refused.getMessage().contains("call them from the resource method that returns the Multi"),
                refused.getMessage());
        refused = assertThrows(IllegalStateException.class, () -> sse.open((SseEventSink) null));
        assertTrue(refused.getMessage().contains("must be called from the RESTEasy Reactive resource method"),
                refused.getMessage());
    }

    @Test
    void subscribingToTheStreamFailsWithAnExplanation() throws Exception {
        HttpResponse<String> response = Streams.get(root, "/returned/subscribed");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("return it as is from a resource method that produces "
                + "text/event-stream, " + SUBSCRIBED), response.body());
        assertEquals(0, ((SseChannelsImpl) sse).openConnections(), "nothing was opened");
    }

    @Test
    void aStreamReturnedFromAMethodThatProducesSomethingElseFailsTheRequest() throws Exception {
        HttpResponse<String> response = Streams.get(root, "/returned/not-an-event-stream");
        assertEquals(500, response.statusCode(), response.body());
        assertEquals(0, ((SseChannelsImpl) sse).openConnections(), "nothing was opened");
    }

    /**
     * The one loud record is RESTEasy Reactive's about the deliberate mistake of a stream returned by a method that
     * does not produce SSE, which it subscribes to.
     */
    private static void onlyTheDeliberateMistakeIsLoud(List<LogRecord> records) {
        List<String> loud = new ArrayList<>();
        for (LogRecord record : records) {
            Throwable thrown = record.getThrown();
            if (thrown == null || thrown.getMessage() == null || !thrown.getMessage().contains(SUBSCRIBED)) {
                loud.add(record.getLoggerName() + ": " + record.getMessage() + " " + thrown);
            }
        }
        assertEquals(List.of(), loud, "nothing else at WARN or ERROR");
    }

    @Path("/returned")
    public static class Mistakes {

        @Inject
        SseChannels sse;

        @GET
        @Path("/blocking/{name}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        @Blocking
        public Multi<OutboundSseEvent> blocking(@PathParam("name") String name) {
            return sse.multi(connection -> {
                connection.sendComment("OK");
                connection.join(sse.channel(name));
            });
        }

        @GET
        @Path("/plain")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public Multi<OutboundSseEvent> plain(@Context Sse jaxrs) {
            return Multi.createFrom().items(jaxrs.newEvent("a"), jaxrs.newEvent("b"));
        }

        /** Over the channel's max-connections, from a worker thread. */
        @GET
        @Path("/reserved/{name}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        @Blocking
        public Multi<OutboundSseEvent> reserved(@PathParam("name") String name) {
            Channel channel = sse.channel(name);
            return channel.multi(channel::add);
        }

        @GET
        @Path("/subscribed")
        @Produces(MediaType.TEXT_PLAIN)
        public Uni<String> subscribed() {
            return sse.multi(connection -> connection.sendComment("opened")).collect().asList()
                    .map(items -> "got " + items).onFailure().recoverWithItem(Throwable::getMessage);
        }

        @GET
        @Path("/not-an-event-stream")
        @Produces(MediaType.APPLICATION_JSON)
        public Multi<OutboundSseEvent> notAnEventStream() {
            return sse.multi(connection -> connection.sendComment("opened"));
        }
    }
}
