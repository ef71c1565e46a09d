package io.quarkiverse.ssechannels.runtime;

import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;

/**
 * Where a channel keeps its events for replay. The in-memory ring is the only implementation today; one backed by a
 * shared store (Redis Streams) can take its place without the channel changing. Called under the journal lock.
 */
interface ChannelHistory {

    /**
     * An event as it went out: its sequence number in the journal, its id and its encoded frame.
     */
    record Entry(long sequence, String id, Buffer frame) {
    }

    /**
     * Appends an event, evicting the oldest when full and telling the journal about both.
     */
    void append(Entry entry);

    /**
     * Passes, oldest first, every retained event with a sequence number above the given one.
     */
    void forEachAfter(long sequence, Consumer<Entry> action);

    int size();

    /**
     * Drops every event, telling the journal.
     */
    void clear();
}
