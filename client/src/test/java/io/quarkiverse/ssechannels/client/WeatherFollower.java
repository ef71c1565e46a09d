package io.quarkiverse.ssechannels.client;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vertx.core.Vertx;

/**
 * The example of the resuming-client page (docs/modules/ROOT/pages/resuming-client.adoc), which
 * {@link ResumingSseClientTest} runs: it follows a stream from where an earlier run stopped and keeps each event's
 * id with its data.
 */
class WeatherFollower {

    final List<String> forecasts = new CopyOnWriteArrayList<>();

    // tag::follow[]
    void follow(Vertx vertx, URI weather, String savedId) {
        ResumingSseClient.follow(vertx, weather, FollowOptions.defaults().withLastEventId(savedId)) // <1>
                .subscribe().with(event -> forecast(event.id(), event.data()));
    }
    // end::follow[]

    private void forecast(String id, String data) {
        forecasts.add(id + ":" + data);
    }
}
