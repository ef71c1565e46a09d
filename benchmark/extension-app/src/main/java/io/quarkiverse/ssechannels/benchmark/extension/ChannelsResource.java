package io.quarkiverse.ssechannels.benchmark.extension;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.SseEventSink;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The extension as the benchmark measures it, in an application that is the baselines' but for the extension (same
 * Quarkus extensions and settings, no security, no metrics registry), so that the figures compare the ways of
 * streaming rather than two applications: its weather channel keeps the default history, and replays it to a
 * client that resumes. The stream opens from a resource method ({@code GET /channels/sse}) or from a Vert.x route
 * ({@code GET /channels/route/sse}); the per-user workload's temporary channels are under the paths the load client
 * uses for them.
 */
@Singleton
@Path("/")
public class ChannelsResource {

    @Inject
    SseChannels sse;

    @Inject
    @ChannelName("weather")
    Channel weather;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    @GET
    @Path("/channels/sse")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context SseEventSink sink) {
        Connection connection = weather.open(sink);
        connection.sendComment("OK");
        weather.add(connection);
    }

    @ConfigProperty(name = "quarkus.sse-channels.backend", defaultValue = "memory")
    String backend;

    void routes(@Observes Router router) {
        Handler<RoutingContext> stream = routing -> {
            Connection connection = weather.open(routing);
            connection.sendComment("OK");
            weather.add(connection);
        };
        // in memory, opening and joining never wait: the event loop does it; with Redis they may, so a worker does
        if ("redis".equals(backend)) {
            router.get("/channels/route/sse").blockingHandler(stream);
        } else {
            router.get("/channels/route/sse").handler(stream);
        }
    }

    @POST
    @Path("/channels/publish")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public String publish(String body) {
        return weather.send(SseMessage.builder().event("weather-event").data(body).build());
    }

    /**
     * The same publish on the event loop that reads the request: in memory a send never waits, so a method that does
     * nothing else may be {@code @NonBlocking} (with Redis a send waits for it, and refuses to run on an event loop).
     */
    @POST
    @Path("/channels/publish-on-event-loop")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @NonBlocking
    public String publishOnEventLoop(String body) {
        return publish(body);
    }

    @GET
    @Path("/sse/user/{userId}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void user(@Context SseEventSink sink, @PathParam("userId") String userId) {
        Connection connection = sse.open(sink);
        connection.sendComment("OK");
        users.join(userId, connection);
    }

    @POST
    @Path("/user/{userId}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Response publishTo(@PathParam("userId") String userId, String body) {
        return users.get(userId)
                .map(channel -> Response.accepted(channel.send(SseMessage.builder().event("user-event").data(body)
                        .build())).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).build());
    }
}
