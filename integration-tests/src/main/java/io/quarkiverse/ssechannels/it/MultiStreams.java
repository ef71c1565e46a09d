package io.quarkiverse.ssechannels.it;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

/**
 * The weather stream returned as a {@code Multi}: {@code GET /multi/sse/weather} behaves like
 * {@code GET /sse/weather}.
 */
// tag::class[]
@Path("/multi/sse")
@Produces(MediaType.SERVER_SENT_EVENTS)
public class MultiStreams {

    @Inject
    @ChannelName("weather")
    Channel weather;

    /**
     * Blocking: with the Redis backend, opening a stream in a channel waits for Redis. With the in-memory channels
     * alone, the method may run on the event loop (drop the annotation).
     */
    @GET
    @Path("/weather")
    @Blocking // <1>
    public Multi<OutboundSseEvent> weather() {
        return weather.multi(connection -> { // <2>
            connection.sendComment("OK");
            weather.add(connection);
        });
    }
}
// end::class[]
