package io.quarkiverse.ssechannels.test;

import java.util.Arrays;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.smallrye.mutiny.Multi;

/**
 * The endpoints of {@link Streams} as resource methods that return the stream as a {@code Multi}, under
 * {@code /multi}, run on the event loop: the same tests run through every way of opening a stream. Connections are
 * recorded in {@link Streams#OPENED} and {@link Streams#CLOSED}.
 */
@Path("/multi")
@Produces(MediaType.SERVER_SENT_EVENTS)
public class Multis {

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    /** Opens a connection; {@code ping} and {@code timeout} in milliseconds. */
    @GET
    @Path("/open")
    public Multi<OutboundSseEvent> plain(@QueryParam("ping") Long ping, @QueryParam("timeout") Long timeout) {
        return sse.multi(Streams.options(ping, timeout), Streams::record);
    }

    @GET
    @Path("/channels/{names}")
    public Multi<OutboundSseEvent> channels(@PathParam("names") String names) {
        return sse.multi(connection -> Streams.record(connection)
                .join(Arrays.stream(names.split(",")).map(sse::channel).toArray(Channel[]::new)));
    }

    @GET
    @Path("/bare/{name}")
    public Multi<OutboundSseEvent> bare(@PathParam("name") String name) {
        return sse.multi(connection -> connection.join(sse.channel(name)));
    }

    @GET
    @Path("/reserved/{name}")
    public Multi<OutboundSseEvent> reserved(@PathParam("name") String name) {
        Channel channel = sse.channel(name);
        return channel.multi(connection -> channel.add(Streams.record(connection)));
    }

    @GET
    @Path("/user/{id}")
    public Multi<OutboundSseEvent> user(@PathParam("id") String id) {
        return sse.multi(connection -> users.join(id, Streams.record(connection)));
    }
}
