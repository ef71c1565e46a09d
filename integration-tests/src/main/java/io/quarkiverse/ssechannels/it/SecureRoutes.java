package io.quarkiverse.ssechannels.it;

import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkus.vertx.web.Route;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The signed-in user's private channel from routes: {@code GET /secure/route/sse/me} (a reactive route, whose security
 * annotation is checked before the handler runs) and {@code GET /secure/router/sse/me} (a plain Vert.x route, behind
 * an HTTP permission) behave like {@code GET /secure/sse/me}.
 */
public class SecureRoutes {

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("private")
    TemporaryChannels<String> privateChannels;

    @ConfigProperty(name = "quarkus.sse-channels.backend", defaultValue = "memory")
    String backend;

    /**
     * On the event loop: a refused request then ends the way Quarkus ends any, where a blocking reactive route
     * refused over HTTP/2 logs an error of Quarkus' own (3.33). With Redis, joining waits for it: a worker joins, still
     * on the request's own Vert.x context, so that the join resumes from the client's last event id.
     */
    // tag::route[]
    @Route(path = "/secure/route/sse/me", methods = Route.HttpMethod.GET)
    @RolesAllowed("user")
    void me(RoutingContext routing) {
        joinOwnChannel(routing);
    }

    private void joinOwnChannel(RoutingContext routing) {
        Connection connection = sse.open(routing);
        // the identity the request was authenticated with, which the connection keeps (a refused stream's too)
        Optional<String> name = connection.identity().map(identity -> identity.getPrincipal().getName());
        if (name.isEmpty()) {
            // a route left unprotected: nobody's channel to join
            connection.close();
            return;
        }
        String user = name.get();
        if (!"redis".equals(backend)) {
            privateChannels.join(user, connection);
            return;
        }
        Vertx.currentContext().executeBlocking(() -> privateChannels.join(user, connection))
                .onFailure(failure -> connection.close()); // Redis did not answer: the client comes back later
    }
    // end::route[]

    /**
     * The same channel from a plain Vert.x route, which has no annotations to check: the path's HTTP permission
     * (application.properties) authenticates the request before any handler runs.
     */
    void routes(@Observes Router router) {
        router.get("/secure/router/sse/me").handler(this::joinOwnChannel);
    }
}
