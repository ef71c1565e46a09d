package io.quarkiverse.ssechannels.test.route;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
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
            .overrideConfigKey("quarkus.http.test-port", "0");

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

    @Test
    void openingOffTheRequestsThreadIsRefusedWithAnExplanation() throws Exception {
        HttpResponse<String> response = get("/mistakes/elsewhere");
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("must be called from the route's handler"), response.body());
    }

    @Test
    void openingAResponseThatStartedIsRefusedWithAnExplanation() throws Exception {
        HttpResponse<String> response = get("/mistakes/twice");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("needs a response whose head is not written yet: GET /mistakes/twice"),
                response.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(root.resolve(path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ApplicationScoped
    public static class Mistakes {

        @Inject
        SseChannels sse;

        void routes(@Observes Router router) {
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
