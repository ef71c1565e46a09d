package io.quarkiverse.ssechannels.test;

import java.util.Arrays;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The endpoints of {@link Streams} as Vert.x routes under {@code /routes}, handled on the event loop: the same tests
 * run through every way of opening a stream (see also {@link Multis}). Connections are recorded in {@link Streams#OPENED} and
 * {@link Streams#CLOSED}.
 */
@ApplicationScoped
public class Routes {

    /** For tests parameterized over every way of opening a stream: {@code @MethodSource(Routes.BASES)}. */
    public static final String BASES = "io.quarkiverse.ssechannels.test.Routes#bases";

    /** @return the base path of each way of opening a stream */
    public static Stream<String> bases() {
        return Stream.of("/streams", "/routes", "/multi");
    }

    /** @return a channel name of the test's own for each way of opening a stream, such as {@code replay-routes} */
    public static String name(String base, String channel) {
        return channel + "-" + base.substring(1);
    }

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    void routes(@Observes Router router) {
        router.get("/routes/open").handler(rc -> open(rc));
        router.get("/routes/channels/:names").handler(rc -> open(rc)
                .join(Arrays.stream(rc.pathParam("names").split(",")).map(sse::channel).toArray(Channel[]::new)));
        router.get("/routes/bare/:name").handler(rc -> sse.open(rc).join(sse.channel(rc.pathParam("name"))));
        router.get("/routes/reserved/:name").handler(rc -> {
            Channel channel = sse.channel(rc.pathParam("name"));
            Connection connection = channel.open(rc);
            if (connection.isOpen()) {
                Streams.record(connection);
            }
            channel.add(connection);
        });
        router.get("/routes/user/:id").handler(rc -> users.join(rc.pathParam("id"), open(rc)));
    }

    /** Opens a connection; the {@code ping} and {@code timeout} query parameters in milliseconds. */
    private Connection open(RoutingContext rc) {
        String ping = rc.queryParams().get("ping");
        String timeout = rc.queryParams().get("timeout");
        Connection connection = sse.open(rc, Streams.options(ping == null ? null : Long.valueOf(ping),
                timeout == null ? null : Long.valueOf(timeout)));
        return connection.isOpen() ? Streams.record(connection) : connection;
    }
}
