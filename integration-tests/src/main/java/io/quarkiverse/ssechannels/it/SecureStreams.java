package io.quarkiverse.ssechannels.it;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

/**
 * The demo's streams for signed-in users (HTTP Basic, the users of {@code users.properties}): each user's private
 * channel, which only that user reads, and announcements for users with the role {@code user}, some of them for
 * administrators only. Publishing takes the role {@code publisher}.
 */
@Path("/secure")
public class SecureStreams {

    @Inject
    SseChannels sse;

    @ConfigProperty(name = "quarkus.sse-channels.backend", defaultValue = "memory")
    String backend;

    // tag::private[]
    @Inject
    @ChannelStore("private")
    TemporaryChannels<String> privateChannels;

    /** The signed-in user's own channel: the key is the principal's name, never something the client chose. */
    @GET
    @Path("/sse/me")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Authenticated
    public void me(@Context SseEventSink sink, @Context SecurityContext security) {
        privateChannels.join(security.getUserPrincipal().getName(), sse.open(sink));
    }

    @POST
    @Path("/user/{id}")
    @RolesAllowed("publisher")
    public Response toUser(@PathParam("id") String id, String body) {
        return PublishResource.publish(privateChannels.getOrCreate(id), body, null, null);
    }
    // end::private[]

    /** The same channel, the stream returned as a {@code Multi}; the connection's identity names the user. */
    @GET
    @Path("/multi/sse/me")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed("user")
    @Blocking
    public Multi<OutboundSseEvent> meAsMulti() {
        return sse.multi(connection -> privateChannels
                .join(connection.identity().orElseThrow().getPrincipal().getName(), connection));
    }

    // tag::announcements[]
    @Inject
    @ChannelName("announcements")
    Channel announcements;

    @GET
    @Path("/sse/announcements")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed("user")
    public void announcements(@Context SseEventSink sink) {
        sse.open(sink).join(announcements);
    }

    /**
     * With {@code ?role=admin}, only the connections of users with that role get the announcement (with the memory
     * backend: a channel shared through Redis refuses a filtered send, which other instances could not apply).
     */
    @POST
    @Path("/announcements")
    @RolesAllowed("publisher")
    public Response announce(String body, @QueryParam("role") String role) {
        if (role == null) {
            return PublishResource.publish(announcements, body, null, null);
        }
        if ("redis".equals(backend)) {
            return Response.status(Response.Status.NOT_IMPLEMENTED)
                    .entity("A filtered send needs quarkus.sse-channels.backend=memory").build();
        }
        SseMessage message = SseMessage.data(body == null ? "" : body);
        return Response.accepted(announcements.send(message, connection -> hasRole(connection, role))).build();
    }

    private static boolean hasRole(Connection connection, String role) {
        return connection.identity().map(identity -> identity.hasRole(role)).orElse(false);
    }
    // end::announcements[]
}
