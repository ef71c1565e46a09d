package io.quarkiverse.ssechannels.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.Connection;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The weather stream from a Vert.x route, without a JAX-RS request behind it: {@code GET /route/sse/weather} behaves
 * like {@code GET /sse/weather}.
 */
// tag::class[]
@ApplicationScoped
public class RouteStreams {

    @Inject
    @ChannelName("weather")
    Channel weather;

    @ConfigProperty(name = "quarkus.sse-channels.backend", defaultValue = "memory")
    String backend;

    void routes(@Observes Router router) {
        Handler<RoutingContext> stream = routing -> {
            Connection connection = weather.open(routing); // <1>
            connection.sendComment("OK");
            weather.add(connection);
        };
        // in memory, opening and joining never wait: the event loop does it; with Redis they may, so a worker does
        if ("redis".equals(backend)) {
            router.get("/route/sse/weather").blockingHandler(stream);
        } else {
            router.get("/route/sse/weather").handler(stream);
        }
    }
}
// end::class[]
