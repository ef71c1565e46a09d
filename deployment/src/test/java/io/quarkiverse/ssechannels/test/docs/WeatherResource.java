package io.quarkiverse.ssechannels.test.docs;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;

/** The getting-started page's resource (docs/modules/ROOT/pages/index.adoc), run by {@link GettingStartedTest}. */
// tag::resource[]
@Path("/")
public class WeatherResource {

    @Inject
    SseChannels sse;

    @Inject
    @ChannelName("weather")
    Channel weather;

    @GET
    @Path("/sse/weather")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink) {
        sse.open(sink).join(weather); // <1>
    }

    @POST
    @Path("/weather")
    public String publish(String forecast) {
        return weather.send(SseMessage.builder().event("weather-event").data(forecast).build()); // <2>
    }
    // end::resource[]

    // tag::users[]
    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    @GET
    @Path("/sse/user/{id}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void user(@Context SseEventSink sink, @PathParam("id") String id) {
        users.join(id, sse.open(sink));
    }
    // end::users[]

    @POST
    @Path("/user/{id}")
    public String publishToUser(@PathParam("id") String id, String data) {
        return users.getOrCreate(id).send(SseMessage.data(data));
    }
    // tag::resource[]
}
// end::resource[]
