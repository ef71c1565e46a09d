package io.quarkiverse.ssechannels.it;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;

/**
 * The demo's event streams.
 */
// tag::weather[]
@Path("/sse")
@Produces(MediaType.SERVER_SENT_EVENTS)
public class StreamResource {

    // end::weather[]
    @Inject
    SseChannels sse;

    // tag::weather[]
    @Inject
    @ChannelName("weather")
    Channel weather;
    // end::weather[]

    @Inject
    @ChannelName("news")
    Channel news;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    /** A single connection: a comment, then one event. */
    @GET
    public void single(@Context SseEventSink sink) {
        Connection connection = sse.open(sink);
        connection.sendComment("OK");
        connection.send(SseMessage.builder().event("my-event").data(Map.of()).id("id").build());
    }

    // tag::weather[]

    @GET
    @Path("/weather")
    public void weather(@Context SseEventSink sink) {
        join(sink, weather);
    }
    // end::weather[]

    @GET
    @Path("/news")
    public void news(@Context SseEventSink sink) {
        join(sink, news);
    }

    /**
     * One connection in both channels, joined at once: a reconnection replays what it missed in both, in publish
     * order, and a client that resumed with a gap is told so before anything is replayed.
     */
    @GET
    @Path("/feed")
    public void feed(@Context SseEventSink sink) {
        Connection connection = sse.open(sink);
        connection.sendComment("OK");
        // tag::feed[]
        connection.join(resume -> resume == Resume.GAP
                ? SseMessage.builder().event("gap").data("some events may be missing").build()
                : null, weather, news);
        // end::feed[]
    }

    @GET
    @Path("/user/{userId}")
    public void user(@Context SseEventSink sink, @PathParam("userId") String userId) {
        Connection connection = sse.open(sink);
        connection.sendComment("OK");
        users.join(userId, connection);
    }

    // tag::weather[]

    /** Over the channel's max-connections, {@code channel.open} answers 503 before the stream starts. */
    private void join(SseEventSink sink, Channel channel) {
        Connection connection = channel.open(sink); // <1>
        connection.sendComment("OK");
        channel.add(connection);
    }
}
// end::weather[]
