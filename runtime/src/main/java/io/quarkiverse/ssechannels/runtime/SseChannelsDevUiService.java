package io.quarkiverse.ssechannels.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

import jakarta.inject.Inject;

import io.quarkiverse.ssechannels.SseMessage;
import io.smallrye.mutiny.Multi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the Dev UI's SSE Channels page asks of the application, over the Dev UI's JSON-RPC: the channels this
 * instance holds with their connections and history, the last events of a channel, and a test event sent to a
 * channel. A bean in dev mode only: the deployment's Dev UI step registers it.
 */
public class SseChannelsDevUiService {

    /** How often the page and the card are told the counts. */
    private static final Duration EVERY = Duration.ofSeconds(1);
    /** The most events {@link #getLastEvents} hands out. */
    private static final int MAX_EVENTS = 50;

    @Inject
    SseChannelsImpl channels;

    /** @return the open connections of the application, for the card's label */
    public int getOpenConnections() {
        return channels.openConnections();
    }

    /** @return the open connections of the application, every second while they change */
    public Multi<Integer> streamOpenConnections() {
        return Multi.createFrom().ticks().every(EVERY).map(tick -> channels.openConnections()).skip().repetitions();
    }

    /**
     * @return the named channels (name, connections, events held, history capacity and the newest event's offset,
     *         so that a snapshot changes with every event) and the stores of temporary channels (name, channels and
     *         connections), as this instance holds them
     */
    public JsonObject getChannels() {
        JsonArray named = new JsonArray();
        channels.namedChannels().stream().filter(c -> !c.isClosed()).sorted(Comparator.comparing(ChannelImpl::name))
                .forEach(c -> named.add(new JsonObject().put("name", c.name()).put("connections", c.size())
                        .put("history", c.historySize()).put("capacity", c.log.capacity())
                        .put("newest", c.log.last())));
        JsonArray stores = new JsonArray();
        channels.stores().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(store -> {
            int held = 0;
            int connections = 0;
            for (ChannelImpl channel : store.getValue().here()) {
                held++;
                connections += channel.size();
            }
            stores.add(new JsonObject().put("name", store.getKey()).put("channels", held).put("connections",
                    connections));
        });
        return new JsonObject().put("open", channels.openConnections()).put("named", named).put("stores", stores);
    }

    /** @return {@link #getChannels()} every second while it changes */
    public Multi<JsonObject> streamChannels() {
        return Multi.createFrom().ticks().every(EVERY).map(tick -> getChannels()).skip().repetitions();
    }

    /**
     * @return the newest events of a named channel's history, newest first (id and the frame as written), at most 50;
     *         none for a channel that does not exist
     */
    public JsonArray getLastEvents(String channel, int count) {
        JsonArray events = new JsonArray();
        ChannelImpl found = named(channel);
        if (found != null) {
            for (Event event : found.lastEvents(Math.min(Math.max(count, 0), MAX_EVENTS))) {
                events.add(new JsonObject().put("id", event.id()).put("frame",
                        event.frame().toString(StandardCharsets.UTF_8)));
            }
        }
        return events;
    }

    /**
     * Sends a test event to a named channel that exists.
     *
     * @param event the event name, blank for the default {@code message}
     * @return {@code sent: true} and the event's id, or {@code sent: false} and why not
     */
    public JsonObject send(String channel, String event, String data) {
        ChannelImpl found = named(channel);
        if (found == null) {
            return new JsonObject().put("sent", false).put("message", "No channel named [" + channel + "]");
        }
        try {
            String id = found.send(SseMessage.builder().event(event == null || event.isBlank() ? null : event)
                    .data(data == null ? "" : data).build());
            return new JsonObject().put("sent", true).put("id", id);
        } catch (RuntimeException e) {
            return new JsonObject().put("sent", false).put("message", e.getMessage());
        }
    }

    private ChannelImpl named(String name) {
        ChannelImpl channel = name == null ? null : channels.namedChannel(name);
        return channel == null || channel.isClosed() ? null : channel;
    }
}
