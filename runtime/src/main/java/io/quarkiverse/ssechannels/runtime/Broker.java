package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import io.vertx.core.buffer.Buffer;

/**
 * What several application instances share a channel through: a log per channel that gives every event its offset
 * and keeps the latest ones, a subject per channel that carries each event to the instances subscribed to it, and
 * the presence of temporary channels. Implemented over Redis by {@link RedisBroker}; the blocking methods wait at
 * most {@code quarkus.sse-channels.redis.timeout} and then throw
 * {@link io.quarkiverse.ssechannels.BackendUnavailableException}.
 * <p>
 * A message on a subject is text: {@code E<epoch>\n<offset>\n<stamp>\n<id field>\n<body>} for an event, the same as
 * a log entry, or {@code T<body>} for a frame without an id that only connections online see. The id field is empty
 * for an event whose id is its position, {@code =<id>} for the caller's own id.
 */
interface Broker {

    /** @param epoch the log's epoch, as drawn by the first publisher since the log was created */
    record Published(String epoch, long offset) {
    }

    /**
     * @param epoch the log's epoch
     * @param last the offset of the newest event published, held or not
     * @param entries the events held after the offset asked for, oldest first, in the message format
     */
    record History(String epoch, long last, List<Buffer> entries) {
    }

    /** Receives the messages of one subject; called on an event loop, so it must not block. */
    interface Listener {

        void message(Buffer payload);

        /** The subscription was lost and is back: messages may have been missed meanwhile. */
        void resubscribed();
    }

    /**
     * Appends an event to the channel's log and sends it on its subject, in one atomic step.
     *
     * @param epoch the epoch to give the log if it has none yet
     * @param keep how long the channel's keys live without publishes, {@code null} for ever
     */
    Published publish(String channel, String epoch, int historySize, Duration keep, String idField, Buffer body);

    /** Sends a frame on the channel's subject only. */
    void publishTransient(String channel, Buffer body);

    /**
     * @param epoch the epoch of {@code after}: of another epoch, every event the log holds is answered
     * @param keep how long the channel's keys live without publishes, {@code null} for ever
     * @return the log's epoch (drawn now if it has none), its last offset and the newest {@code max} events it holds
     *         after {@code after}
     */
    History read(String channel, String epoch, long after, int max, Duration keep);

    /**
     * Moves the log to a new epoch and drops what it holds, if it still is in this epoch: for a log that lost its
     * newest writes, whose offsets would otherwise be given out again for other events.
     */
    void rotate(String channel, String epoch, String newEpoch);

    /** Returns once the broker confirmed the subscription: every message published after is received. */
    void subscribe(String channel, Listener listener);

    /** Ends the listener's subscription, if it still has it. */
    void unsubscribe(String channel, Listener listener);

    /**
     * @return the current time on the broker's clock in microseconds, the unit of event stamps, erring on the early
     *         side
     */
    long clock();

    /**
     * Asks the broker for an answer, for the readiness check.
     *
     * @throws BackendUnavailableException if it does not answer in time
     */
    void ping();

    /**
     * Marks keys of a store present: each until now plus its time to live, unless marked present for longer already.
     *
     * @param channels the channels of the keys, whose logs live {@code keep} longer than their presence
     */
    void present(String store, Collection<Presence> keys);

    /** One key of a store, its channel and how long it stays present. */
    record Presence(String key, String channel, Duration ttl, Duration keep) {
    }

    /** Ends the presence of a key at once. */
    void absent(String store, String key);

    /** @return the keys of the store present now */
    Set<String> presentKeys(String store);

    boolean isPresent(String store, String key);
}
