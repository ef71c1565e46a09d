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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;

/**
 * Publishing and counting: the text body is the event data.
 */
@Path("/")
public class PublishResource {

    @Inject
    @ChannelName("weather")
    Channel weather;

    @Inject
    @ChannelName("news")
    Channel news;

    @Inject
    TemporaryChannels<String> users;

    @POST
    @Path("/weather")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Response postWeather(String body, @QueryParam("event") String event, @QueryParam("id") String id) {
        return publish(weather, body, event == null ? "weather-event" : event, id);
    }

    @POST
    @Path("/news")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    public Response postNews(String body, @QueryParam("event") String event, @QueryParam("id") String id) {
        return publish(news, body, event == null ? "news-event" : event, id);
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
    @Path("/weather/connections")
    @Produces(MediaType.APPLICATION_JSON)
    public int weatherConnections() {
        return weather.size();
    }

    @GET
    @Path("/news/connections")
    @Produces(MediaType.APPLICATION_JSON)
    public int newsConnections() {
        return news.size();
    }

    @GET
    @Path("/users")
    @Produces(MediaType.APPLICATION_JSON)
    public Set<String> users() {
        return users.keys();
    }

    private static Response publish(Channel channel, String body, String event, String id) {
        SseMessage message;
        try {
            message = SseMessage.builder().event(event).id(id).data(body == null ? "" : body).build();
        } catch (IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(e.getMessage()).build();
        }
        return Response.accepted(channel.send(message)).build();
    }
}
