package io.quarkiverse.ssechannels.it;

import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;

/**
 * Publishing and counting: the text body is the event data.
 */
@Path("/")
public class PublishResource {

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    /** {@code POST /weather} and {@code POST /news}; the default event name is {@code <channel>-event}. */
    @POST
    @Path("/{channel: weather|news}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Response post(@PathParam("channel") String channel, String body, @QueryParam("event") String event,
            @QueryParam("id") String id) {
        return publish(sse.channel(channel), body, event == null ? channel + "-event" : event, id);
    }

    @POST
    @Path("/user/{userId}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Response postUser(@PathParam("userId") String userId, String body, @QueryParam("event") String event,
            @QueryParam("id") String id) {
        return users.get(userId)
                .map(channel -> publish(channel, body, event == null ? "user-event" : event, id))
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity("No channel for user [" + userId + "]").build());
    }

    @GET
    @Path("/{channel: weather|news}/connections")
    @Produces(MediaType.APPLICATION_JSON)
    public int connections(@PathParam("channel") String channel) {
        return sse.channel(channel).size();
    }

    @GET
    @Path("/users")
    @Produces(MediaType.APPLICATION_JSON)
    public Set<String> users() {
        return users.keys();
    }

    /** A message the builder or the channel refuses (an id with a line break, data over max-data-size) is a 400. */
    static Response publish(Channel channel, String body, String event, String id) {
        try {
            return Response.accepted(channel.send(SseMessage.builder().event(event).id(id)
                    .data(body == null ? "" : body).build())).build();
        } catch (IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(e.getMessage()).build();
        }
    }
}
