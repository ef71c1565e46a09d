package io.quarkiverse.ssechannels.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The order of every event of every channel of this application instance.
 * <p>
 * One lock orders all sends, adds and removes across channels, so that a connection in several channels receives
 * their events in the order of their sequence numbers: the Last-Event-ID it reports after a reconnection then marks,
 * in every channel, exactly what it has seen. Nothing is written to a socket under the lock; it covers appending to a
 * history and queueing a frame on each connection, both non-blocking.
 */
final class Journal {

    // Fair: a tight loop of sends must not starve connections waiting to join.
    final ReentrantLock lock = new ReentrantLock(true);

    // guarded by lock
    private long last;
    private final Map<String, Long> sequenceById = new HashMap<>();

    long next() {
        return ++last;
    }

    void retained(String id, long sequence) {
        sequenceById.put(id, sequence);
    }

    void dropped(String id, long sequence) {
        sequenceById.remove(id, sequence);
    }

    /**
     * @return the sequence number of the event with this id in any channel's history, or -1 when no history holds it
     */
    long sequenceOf(String id) {
        Long sequence = sequenceById.get(id);
        return sequence == null ? -1 : sequence;
    }

    int retainedIds() {
        lock.lock();
        try {
            return sequenceById.size();
        } finally {
            lock.unlock();
        }
    }
}
