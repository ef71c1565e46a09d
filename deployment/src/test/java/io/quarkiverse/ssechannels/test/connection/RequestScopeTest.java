package io.quarkiverse.ssechannels.test.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;

/**
 * A stream's request ends with its stream, however the stream ends: its request scope is destroyed (request-scoped
 * beans see their {@code @PreDestroy}), and nothing of it is kept, not even a place under max-connections.
 */
public class RequestScopeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Scoped.class, Resource.class, Located.class))
            .overrideConfigKey("quarkus.sse-channels.max-connections", "2")
            .overrideConfigKey("quarkus.sse-channels.max-queued-bytes", "64K")
            .overrideConfigKey("quarkus.sse-channels.history-size", "0")
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("io.quarkiverse.ssechannels")
                    && r.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(records -> assertEquals(List.of(), records.stream().map(LogRecord::getMessage).toList(),
                    "nothing logged loudly by the extension"));

    @TestHTTPResource("/scoped/")
    URI scoped;

    @TestHTTPResource("/scoped-twice")
    URI twice;

    @TestHTTPResource("/")
    URI root;

    @TestHTTPResource("/left/")
    URI left;

    @Inject
    SseChannels sse;

    /** Where the handler chain of a request to {@code /left} stood before and after its client left. */
    static final Map<String, List<Integer>> POSITIONS = new ConcurrentHashMap<>();

    /** Counts the request scopes destroyed, by the tag the resource method gave its request. */
    @RequestScoped
    public static class Scoped {

        static final Map<String, AtomicInteger> DESTROYED = new ConcurrentHashMap<>();
        private String tag;

        /** A method, not a field: a field of the client proxy would not reach the bean. */
        void tag(String tag) {
            this.tag = tag;
        }

        @PreDestroy
        void destroyed() {
            DESTROYED.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Path("/")
    public static class Resource {

        @Inject
        SseChannels sse;

        @Inject
        Scoped scoped;

        @GET
        @Path("/scoped/{tag}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void stream(@Context SseEventSink sink, @PathParam("tag") String tag) {
            open(sink, tag).join(sse.channel("scoped"));
        }

        /**
         * Waits until its client has gone, then notes where the request's handler chain stood before and after:
         * nothing may move it while the resource method runs. Opens the stream with this extension, or (tag
         * {@code plain-...}) writes to the sink as a plain JAX-RS method does.
         */
        @GET
        @Path("/left/{tag}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void left(@Context SseEventSink sink, @Context Sse jaxrs, @Context HttpServerRequest request,
                @PathParam("tag") String tag) throws Exception {
            if (tag.startsWith("plain")) {
                scoped.tag(tag);
                sink.send(jaxrs.newEvent("plain")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            } else {
                open(sink, tag).join(sse.channel("left"));
            }
            ResteasyReactiveRequestContext context = CurrentRequestManager.get();
            int before = context.getPosition();
            Awaitility.await("the client of [" + tag + "] left").atMost(WAIT).until(() -> request.response().closed());
            // the event loop handled the close completely once a task queued after it ran
            CountDownLatch handled = new CountDownLatch(1);
            ((HttpServerRequestInternal) request).context().runOnContext(v -> handled.countDown());
            assertTrue(handled.await(10, TimeUnit.SECONDS));
            POSITIONS.put(tag, List.of(before, context.getPosition()));
        }

        /** Fails after opening the stream: RESTEasy Reactive answers the request, and ends it. */
        @GET
        @Path("/scoped-fails")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void fails(@Context SseEventSink sink) {
            open(sink, "fails");
            throw new IllegalStateException("a mistake of the application, after the stream opened");
        }

        /** A mistake: the sink opened twice. The second open fails, and must not keep a place. */
        @GET
        @Path("/scoped-twice")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void twice(@Context SseEventSink sink) {
            Connection connection = open(sink, "twice");
            assertThrows(IllegalStateException.class, () -> sse.open(sink));
            connection.join(sse.channel("scoped"));
        }

        /** The stream of {@code /scoped/{tag}}, returned as a {@code Multi}. */
        @GET
        @Path("/scoped-multi/{tag}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public Multi<OutboundSseEvent> multi(@PathParam("tag") String tag) {
            scoped.tag(tag);
            return sse.multi(connection -> {
                Streams.OPENED.put(connection.id(), connection);
                connection.join(sse.channel("scoped"));
            });
        }

        /** Streams reached through a sub-resource locator, whose handler chain is matched on a worker thread. */
        @Path("/located")
        public Located located() {
            return new Located(sse, scoped);
        }

        /** Fails once its returned stream opened: RESTEasy Reactive answers the request, and ends it. */
        @GET
        @Path("/scoped-multi-fails")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public Multi<OutboundSseEvent> multiFails() {
            scoped.tag("multi-fails");
            return sse.multi(connection -> {
                throw new IllegalStateException("a mistake of the application, after the stream opened");
            });
        }

        /** Tags the request's scope, opens the stream and registers it where the tests find it. */
        private Connection open(SseEventSink sink, String tag) {
            scoped.tag(tag);
            Connection connection = sse.open(sink);
            Streams.OPENED.put(connection.id(), connection);
            return connection;
        }
    }

    /** A sub-resource: its methods keep RESTEasy Reactive's own close handler. */
    public static class Located {

        private final SseChannels sse;
        private final Scoped scoped;

        Located(SseChannels sse, Scoped scoped) {
            this.sse = sse;
            this.scoped = scoped;
        }

        /** Returns a stream whose callback waits until its client has gone, then joins a channel. */
        @GET
        @Path("/{tag}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        @Blocking
        public Multi<OutboundSseEvent> left(@PathParam("tag") String tag) {
            scoped.tag(tag);
            return sse.multi(connection -> {
                Streams.OPENED.put(connection.id(), connection);
                Awaitility.await("the client of [" + tag + "] left").atMost(WAIT)
                        .until(() -> connection.request().response().closed());
                connection.join(sse.channel("left"));
            });
        }
    }

    /** @return the stream of a sink, and the same returned as a {@code Multi} */
    static Stream<String> ways() {
        return Stream.of("scoped/", "scoped-multi/");
    }

    @ParameterizedTest
    @MethodSource("ways")
    void aStreamTheClientClosesEndsItsRequestScope(String way) {
        try (SseClient client = SseClient.connect(URI.create(root + way + "client" + way.length()))) {
            awaitMembers(1);
        }
        awaitDestroyed("client" + way.length());
    }

    @ParameterizedTest
    @MethodSource("ways")
    void aStreamTheServerClosesEndsItsRequestScope(String way) {
        try (SseClient client = SseClient.connect(URI.create(root + way + "server" + way.length()))) {
            awaitMembers(1);
            Streams.newest().close();
            client.awaitEnd(WAIT);
        }
        awaitDestroyed("server" + way.length());
    }

    @ParameterizedTest
    @MethodSource("ways")
    void aStalledStreamThatIsCutEndsItsRequestScope(String way) throws Exception {
        Channel channel = sse.channel("scoped");
        String tag = "stalled" + way.length();
        try (Socket stalled = RawHttp.stalledClient(URI.create(root + way + tag))) {
            awaitMembers(1);
            String payload = "x".repeat(16 * 1024);
            Awaitility.await("the stalled client is cut").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (int i = 0; i < 16; i++) {
                            channel.send(SseMessage.data(payload));
                        }
                        return channel.size() == 0;
                    });
        }
        awaitDestroyed(tag);
    }

    @Test
    void openingASinkTwiceKeepsNoPlace() {
        SseChannelsImpl impl = (SseChannelsImpl) sse;
        try (SseClient client = SseClient.connect(twice)) {
            awaitMembers(1);
        }
        Awaitility.await().atMost(WAIT).until(() -> impl.openConnections() == 0);
        awaitDestroyed("twice");
        // both places of max-connections are free again
        try (SseClient first = SseClient.connect(URI.create(scoped + "first"));
                SseClient second = SseClient.connect(URI.create(scoped + "second"))) {
            assertEquals(List.of(200, 200), List.of(first.status(), second.status()));
        }
    }

    /**
     * A client that leaves while the resource method still runs: RESTEasy Reactive's own close handler would move
     * the request's handler chain from the event loop while a worker thread runs it (Quarkus issue 55116: once in
     * many thousand such clients, an ArrayIndexOutOfBoundsException logged at ERROR). The chain stays where it was,
     * the stream ends, and so does its request scope.
     */
    @Test
    void aClientThatLeavesWhileTheResourceMethodRunsLeavesItsChainAlone() throws Exception {
        for (String tag : List.of("ours", "plain")) {
            try (Socket socket = RawHttp.get(URI.create(left + tag), Map.of())) {
                RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
            }
            Awaitility.await("the resource method of [" + tag + "] saw its client leave").atMost(WAIT)
                    .until(() -> POSITIONS.containsKey(tag));
            List<Integer> positions = POSITIONS.get(tag);
            assertEquals(positions.get(0), positions.get(1), () -> "the handler chain of [" + tag + "] moved under "
                    + "its resource method, from " + positions.get(0) + " to " + positions.get(1));
            awaitDestroyed(tag);
        }
        Awaitility.await().atMost(WAIT)
                .until(() -> ((SseChannelsImpl) sse).openConnections() == 0 && sse.channel("left").size() == 0);
    }

    /**
     * A returned stream whose client leaves while its callback runs on a worker, in a sub-resource, where RESTEasy
     * Reactive's own close handler is kept: the connection still ends the suspended request and its scope.
     */
    @Test
    void aReturnedStreamWhoseClientLeavesDuringItsCallbackEndsItsRequest() throws Exception {
        try (Socket socket = RawHttp.get(URI.create(root + "located/located-left"), Map.of())) {
            socket.setSoTimeout(10_000);
            RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
        }
        awaitDestroyed("located-left");
        Awaitility.await().atMost(WAIT)
                .until(() -> ((SseChannelsImpl) sse).openConnections() == 0 && sse.channel("left").size() == 0);
    }

    /**
     * A resource method that fails after opening its stream (or whose returned stream's callback fails): its
     * connection lets RESTEasy Reactive end the request at once, rather than waiting for a set-up that never
     * completes (and warning about it after five seconds).
     */
    @ParameterizedTest
    @ValueSource(strings = { "fails", "multi-fails" })
    void aResourceMethodThatFailsAfterOpeningEndsItsRequestAtOnce(String tag) throws Exception {
        try (Socket socket = RawHttp.get(URI.create(root + "scoped-" + tag), Map.of())) {
            socket.setSoTimeout(10_000);
            RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
            Awaitility.await("the connection is gone well before set-up would be given up")
                    .atMost(Duration.ofSeconds(3)).until(() -> ((SseChannelsImpl) sse).openConnections() == 0);
        }
        awaitDestroyed(tag);
    }

    private void awaitMembers(int n) {
        Awaitility.await().atMost(WAIT).until(() -> sse.channel("scoped").size() == n);
    }

    private static void awaitDestroyed(String tag) {
        Awaitility.await("the request scope of [" + tag + "] is destroyed, once").atMost(WAIT)
                .until(() -> Scoped.DESTROYED.getOrDefault(tag, new AtomicInteger()).get() == 1);
    }
}
