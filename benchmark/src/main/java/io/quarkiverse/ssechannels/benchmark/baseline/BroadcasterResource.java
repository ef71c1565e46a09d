package io.quarkiverse.ssechannels.benchmark.baseline;

import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Baseline (a): the JAX-RS built-in {@link SseBroadcaster}, as the Quarkus guides show it.
 */
@Singleton
@Path("/broadcaster")
public class BroadcasterResource {

    private volatile SseBroadcaster broadcaster;
    private volatile Sse sse;

    @GET
    @Path("/sse")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink, @Context Sse sse) {
        broadcaster(sse).register(sink);
    }

    @POST
    @Path("/publish")
    @Consumes(MediaType.WILDCARD)
    public void publish(String body, @Context Sse sse) {
        broadcaster(sse).broadcast(sse.newEventBuilder().name("weather-event").data(body).build());
    }

    private synchronized SseBroadcaster broadcaster(Sse sse) {
        if (broadcaster == null) {
            this.sse = sse;
            broadcaster = sse.newBroadcaster();
        }
        return broadcaster;
    }
}
