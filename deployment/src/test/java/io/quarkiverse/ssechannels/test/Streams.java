package io.quarkiverse.ssechannels.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.ConnectionOptions;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;

/**
 * SSE endpoints shared by the deployment tests, with the configured ping interval and timeout unless the query
 * overrides them. Every connection is recorded, with how many times its close listener ran.
 */
@Path("/streams")
public class Streams {

    public static final Map<String, Connection> OPENED = new ConcurrentHashMap<>();
    public static final List<String> CLOSED = new CopyOnWriteArrayList<>();

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    /** Opens a connection; {@code ping} and {@code timeout} in milliseconds. */
    @GET
    @Path("/open")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void plain(@Context SseEventSink sink, @QueryParam("ping") Long ping, @QueryParam("timeout") Long timeout) {
        open(sink, ping, timeout);
    }

    /** Opens a connection and joins it to the named channels at once. */
    @GET
    @Path("/channels/{names}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void channels(@Context SseEventSink sink, @PathParam("names") String names) {
        open(sink, null, null).join(Arrays.stream(names.split(",")).map(sse::channel).toArray(Channel[]::new));
    }

    /** Opens a connection with the attribute {@code team} set, then joins the named channels at once. */
    @GET
    @Path("/team/{team}/{names}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void team(@Context SseEventSink sink, @PathParam("team") String team, @PathParam("names") String names) {
        Connection connection = open(sink, null, null);
        connection.attributes().put("team", team);
        connection.join(Arrays.stream(names.split(",")).map(sse::channel).toArray(Channel[]::new));
    }

    /** Opens a connection in a channel without recording it, for churns that must leave nothing behind. */
    @GET
    @Path("/bare/{name}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void bare(@Context SseEventSink sink, @PathParam("name") String name) {
        sse.open(sink).join(sse.channel(name));
    }

    /** Opens a connection through the channel, which holds a place for it or answers 503, then joins it. */
    @GET
    @Path("/reserved/{name}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void reserved(@Context SseEventSink sink, @PathParam("name") String name) {
        Connection connection = sse.channel(name).open(sink);
        record(connection);
        sse.channel(name).add(connection);
    }

    /** Opens a connection in a user's temporary channel. */
    @GET
    @Path("/user/{id}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void user(@Context SseEventSink sink, @PathParam("id") String id) {
        users.join(id, open(sink, null, null));
    }

    private Connection open(SseEventSink sink, Long ping, Long timeout) {
        return record(sse.open(sink, options(ping, timeout)));
    }

    /** @return the configuration's options, with the ping interval and timeout given in milliseconds if any */
    static ConnectionOptions options(Long ping, Long timeout) {
        ConnectionOptions options = ConnectionOptions.defaults();
        if (ping != null) {
            options = options.withPingInterval(Duration.ofMillis(ping));
        }
        if (timeout != null) {
            options = options.withTimeout(Duration.ofMillis(timeout));
        }
        return options;
    }

    static Connection record(Connection connection) {
        OPENED.put(connection.id(), connection);
        connection.onClose(c -> CLOSED.add(c.id()));
        return connection;
    }

    public static List<String> sendAll(Channel channel, String... data) {
        List<String> ids = new ArrayList<>();
        IntStream.range(0, data.length).forEach(i -> ids.add(channel.send(SseMessage.data(data[i]))));
        return ids;
    }

    /**
     * Sends events of {@code size} bytes of data to the channel from a thread of its own, every 20 µs or so, until
     * closed: a channel that keeps its connections writing.
     */
    public static final class Flood implements AutoCloseable {

        private final AtomicBoolean flooding = new AtomicBoolean(true);
        private final Thread thread;

        public Flood(Channel channel, int size) {
            String data = "x".repeat(size);
            thread = new Thread(() -> {
                while (flooding.get()) {
                    channel.send(SseMessage.data(data));
                    LockSupport.parkNanos(20_000);
                }
            }, "flood-" + channel.name());
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            flooding.set(false);
            thread.join(10_000);
        }
    }

    /** @return the answer to a plain GET of the path on the test's server, within 10 seconds */
    public static HttpResponse<String> get(URI root, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(root.resolve(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static List<String> data(List<SseClient.Frame> frames) {
        return frames.stream().map(SseClient.Frame::data).toList();
    }

    public static void awaitSize(Channel channel, int size) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.size() == size);
    }

    /**
     * @return the open connection of the {@link RawHttp#stalledClient}, once there is one
     */
    public static Connection rawConnection() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> OPENED.values().stream()
                .filter(c -> c.isOpen() && c.request().getHeader("User-Agent") == null).findFirst().orElse(null),
                java.util.Objects::nonNull);
    }

    /**
     * @return the newest connection opened through these endpoints, once it is open
     */
    public static Connection newest() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> OPENED.values().stream().filter(Connection::isOpen)
                        .max(java.util.Comparator.comparingLong(c -> Long.parseLong(c.id()))).orElse(null),
                java.util.Objects::nonNull);
    }
}
