package io.quarkiverse.ssechannels.test.route;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.vertx.ext.web.Router;

/**
 * What is particular to streams opened from a Vert.x route: which joins resume from the client's last event id, and
 * the mistakes {@code open(RoutingContext)} refuses. The behaviour shared with resource methods is tested through
 * {@link Routes} by the tests parameterized over both.
 */
public class RouteStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Mistakes.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .setLogRecordPredicate(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(records -> assertEquals(List.of(), records.stream()
                    .map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(), "nothing at WARN or ERROR"));

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    /** A join in a callback of the request's own handling (here a timer it set) resumes like one in the handler. */
    @Test
    void aJoinInACallbackOfTheRequestResumesFromTheLastEventId() {
        Channel channel = sse.channel("deferred");
        List<String> ids = Streams.sendAll(channel, "a", "b", "c");
        try (SseClient client = SseClient.connect(root.resolve("/mistakes/deferred"),
                Map.of("Last-Event-ID", ids.get(0)))) {
            assertEquals(List.of("b", "c"), data(client.nextEvents(2, WAIT)));
        }
    }

    /** A channel joined from elsewhere, later in the stream's life, starts at its end, as for a resource method. */
    @Test
    void aJoinFromElsewhereStartsAtTheChannelsEnd() {
        Channel first = sse.channel("first");
        Channel later = sse.channel("later");
        String seen = first.send(SseMessage.data("seen"));
        later.send(SseMessage.data("old news"));
        try (SseClient client = SseClient.connect(root.resolve("/routes/channels/first"),
                Map.of("Last-Event-ID", seen))) {
            awaitSize(first, 1);
            Connection connection = Streams.newest();
            assertEquals(Resume.EXACT, connection.resume());
            later.send(SseMessage.data("still before the join"));
            assertTrue(connection.join(later));
            later.send(SseMessage.data("after the join"));
            assertEquals("after the join", client.nextEvent(WAIT).data(), client.raw());
        }
    }

    /**
     * The application (or Vert.x Web's failure handling) may end a route's response itself, over a keep-alive
     * connection that stays open: the connection closes then, and keeps nothing.
     */
    @Test
    void aResponseTheApplicationEndsClosesItsConnection() throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Awaitility.await().atMost(WAIT).until(() -> impl.openConnections() == 0);
        Channel channel = sse.channel("ended");
        try (Socket socket = RawHttp.get(root, "/mistakes/ended", Map.of())) {
            socket.setSoTimeout(10_000);
            // the last chunk: the response ended, the connection is still open
            String response = RawHttp.readUntil(socket.getInputStream(), "0\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            Awaitility.await("the connection closes with its response").atMost(WAIT)
                    .until(() -> impl.openConnections() == 0 && channel.size() == 0);
            assertEquals(0, impl.pendingTimers(), "its ping and lifetime timers are cancelled");
        }
    }

    /**
     * A blocking handler may end its response while the event loop writes to the stream: the connection closes, and
     * nothing is logged as a failed write.
     */
    @Test
    void aResponseEndedFromAWorkerWhileItsConnectionWritesIsNotAFailure() throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        try (Streams.Flood flood = new Streams.Flood(sse.channel("busy"), 200)) {
            for (int i = 0; i < 100; i++) {
                try (Socket socket = RawHttp.get(root, "/mistakes/ended-by-worker", Map.of("Last-Event-ID", "x"))) {
                    socket.setSoTimeout(10_000);
                    String response = RawHttp.readUntil(new BufferedInputStream(socket.getInputStream()),
                            "\r\n0\r\n\r\n");
                    assertTrue(response.startsWith("HTTP/1.1 200"), response);
                }
            }
        }
        Awaitility.await().atMost(WAIT).until(() -> impl.openConnections() == 0);
    }

    /** A query string that cannot be decoded is answered 400 before the route runs, as for a resource method. */
    @Test
    void aQueryThatCannotBeDecodedIsRefusedBeforeTheRoute() throws Exception {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        Awaitility.await().atMost(WAIT).until(() -> impl.openConnections() == 0);
        try (Socket socket = RawHttp.get(root, "/mistakes/plain?lastEventId=%zz", Map.of())) {
            socket.setSoTimeout(10_000);
            String head = RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 400"), head);
        }
        assertEquals(0, impl.openConnections(), "no place taken");
    }

    @Test
    void openingOffTheRequestsThreadIsRefusedWithAnExplanation() throws Exception {
        HttpResponse<String> response = Streams.get(root, "/mistakes/elsewhere");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("must be called from the route's handler"), response.body());
        assertEquals(0, ((SseChannelsImpl) sse).openConnections(), "nothing was opened");
    }

    @Test
    void openingAResponseThatStartedIsRefusedWithAnExplanation() throws Exception {
        HttpResponse<String> response = Streams.get(root, "/mistakes/twice");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("needs a response whose head is not written yet, and that no connection "
                + "took: GET /mistakes/twice"), response.body());
    }

    /**
     * Opening the same response twice: the head of the first is not written yet (it goes with the first frames), yet
     * the second is refused, and the first stream goes on.
     */
    @Test
    void openingAResponseTwiceIsRefusedWithAnExplanation() {
        try (SseClient client = SseClient.connect(root.resolve("/mistakes/opened-twice"))) {
            assertEquals(200, client.status(), client.raw());
            SseClient.Frame told = client.next(WAIT);
            assertEquals(List.of(" needs a response whose head is not written yet, and that no connection took: "
                    + "GET /mistakes/opened-twice"), told.comments(), client.raw());
            sse.channel("twice").send(SseMessage.data("after"));
            assertEquals("after", client.nextEvent(WAIT).data(), client.raw());
        }
    }

    /** An open that failed (a closed channel) leaves the response free: the route opens it another way. */
    @Test
    void aFailedOpenLeavesTheResponseToTheRoute() {
        try (SseClient client = SseClient.connect(root.resolve("/mistakes/fallback"))) {
            assertEquals(200, client.status(), client.raw());
            assertEquals(List.of(" fell back"), client.next(WAIT).comments(), client.raw());
        }
    }

    @ApplicationScoped
    public static class Mistakes {

        @Inject
        SseChannels sse;

        void routes(@Observes Router router) {
            router.get("/mistakes/ended").handler(rc -> {
                Connection connection = sse.open(rc, ConnectionOptions.defaults().withPingInterval(Duration.ZERO));
                connection.join(sse.channel("ended"));
                // later, once the connection wrote what it had: without pings, no write of its own would tell it
                rc.vertx().setTimer(200, t -> rc.response().end());
            });
            router.get("/mistakes/ended-by-worker").blockingHandler(rc -> {
                sse.open(rc).join(sse.channel("busy"));
                // the catch-up of the history is being written meanwhile
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000));
                rc.response().end();
            }, false);
            router.get("/mistakes/plain").handler(rc -> sse.open(rc).join(sse.channel("plain")));
            router.get("/mistakes/deferred").handler(rc -> {
                Connection connection = sse.open(rc);
                rc.vertx().setTimer(50, t -> connection.join(sse.channel("deferred")));
            });
            // handed to a thread that is not Vert.x's: refused, and the route answers what it was told
            router.get("/mistakes/elsewhere").handler(rc -> new Thread(() -> {
                String told;
                try {
                    sse.open(rc);
                    told = "opened";
                } catch (IllegalStateException e) {
                    told = e.getMessage();
                }
                rc.response().setStatusCode(500).end(told);
            }).start());
            router.get("/mistakes/opened-twice").handler(rc -> {
                Connection connection = sse.open(rc);
                try {
                    sse.open(rc);
                    connection.send(SseMessage.comment("opened twice"));
                } catch (IllegalStateException e) {
                    String message = e.getMessage();
                    connection.send(SseMessage.comment(message.substring(message.indexOf("needs"))));
                }
                connection.join(sse.channel("twice"));
            });
            router.get("/mistakes/fallback").handler(rc -> {
                Channel gone = sse.channel("gone");
                gone.close();
                Connection connection;
                try {
                    connection = gone.open(rc);
                } catch (ChannelClosedException e) {
                    connection = sse.open(rc);
                    connection.send(SseMessage.comment("fell back"));
                }
                connection.join(sse.channel("fallback"));
            });
            router.get("/mistakes/twice").handler(rc -> {
                rc.response().setChunked(true).write("started\n");
                try {
                    sse.open(rc);
                    rc.response().end("opened");
                } catch (IllegalStateException e) {
                    rc.response().end(e.getMessage());
                }
            });
        }
    }
}
