package io.quarkiverse.ssechannels.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One channel's bounded history: a ring of its latest events by offset, and an index of the caller ids it holds.
 * <p>
 * Written only by the thread holding the channel's lock. Read without the lock by connections catching up on their
 * event loops: {@link #get(long)} publishes an event through the volatile {@code last}, and a slot that was
 * overwritten meanwhile is recognised by its offset, so a reader never waits for a writer.
 */
final class EventLog {

    /** Answered by {@link #get} for an event the ring no longer holds. */
    static final Event EVICTED = new Event(null, -1, -1, null, false, null, null, null);

    private final AtomicReferenceArray<Event> ring;
    private final int capacity;
    /** The offset of the newest event, 0 before the first. */
    private volatile long last;
    /** The offset of the oldest event still held; {@code last + 1} when none is. */
    private volatile long first;

    // guarded by the channel's lock
    private final Map<String, Long> callerIds = new HashMap<>();
    /** The stamp of the newest event no longer held, 0 when none was dropped. */
    private long droppedStamp;

    /** @param after the offset of the event before the first this log will hold */
    EventLog(int capacity, long after) {
        this.capacity = capacity;
        this.ring = new AtomicReferenceArray<>(capacity);
        this.last = after;
        this.first = after + 1;
    }

    long last() {
        return last;
    }

    int capacity() {
        return capacity;
    }

    long nextOffset() {
        return last + 1;
    }

    /** Appends the event whose offset is {@link #nextOffset()}, dropping the oldest when full. */
    void append(Event event) {
        long offset = event.offset();
        if (capacity == 0) {
            droppedStamp = event.stamp();
            first = offset + 1;
            last = offset;
            return;
        }
        int slot = (int) (offset % capacity);
        if (offset - first >= capacity) {
            drop(ring.get(slot));
            first = offset - capacity + 1;
        }
        ring.set(slot, event);
        if (event.callerId()) {
            callerIds.put(event.id(), offset);
        }
        last = offset;
    }

    private void drop(Event event) {
        droppedStamp = event.stamp();
        if (event.callerId()) {
            callerIds.remove(event.id(), event.offset());
        }
    }

    /**
     * @return the event at this offset, {@code null} if it is not published yet, {@link #EVICTED} if it is no longer
     *         held
     */
    Event get(long offset) {
        if (offset > last) {
            return null;
        }
        if (offset < first) {
            return EVICTED;
        }
        Event event = ring.get((int) (offset % capacity));
        return event != null && event.offset() == offset ? event : EVICTED;
    }

    /** @return the offset of the newest held event with this caller id, or -1 */
    long offsetOf(String callerId) {
        Long offset = callerIds.get(callerId);
        return offset == null ? -1 : offset;
    }

    /**
     * @return whether a reader at this offset can catch up from the ring: the next event is held or not published
     */
    boolean reaches(long offset) {
        return offset + 1 >= first && offset <= last;
    }

    /** @return the offset to start from to hand out everything still held */
    long oldestPosition() {
        return first - 1;
    }

    /**
     * @return the offset of the newest event stamped at or before the given stamp, walking back from the newest
     */
    long positionAt(long stamp) {
        long offset = last;
        while (offset >= first && get(offset).stamp() > stamp) {
            offset--;
        }
        return offset;
    }

    /** @return whether an event stamped after the given stamp was dropped */
    boolean droppedAfter(long stamp) {
        return droppedStamp > stamp;
    }

    int size() {
        return (int) (last - first + 1);
    }

    /** Drops every event; offsets go on from where they were. */
    void clear() {
        for (long offset = first; offset <= last; offset++) {
            drop(get(offset));
        }
        first = last + 1;
        for (int i = 0; i < capacity; i++) {
            ring.set(i, null);
        }
    }
}
