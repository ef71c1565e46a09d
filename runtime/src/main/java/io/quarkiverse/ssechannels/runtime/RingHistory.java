package io.quarkiverse.ssechannels.runtime;

import java.util.function.Consumer;

/**
 * A fixed-size ring of the latest events, oldest first; sequence numbers increase along the ring, so the first event
 * to replay is found by binary search.
 */
final class RingHistory implements ChannelHistory {

    private final Journal journal;
    private final Entry[] ring;
    private int head; // index of the oldest entry
    private int size;

    RingHistory(Journal journal, int capacity) {
        this.journal = journal;
        this.ring = new Entry[capacity];
    }

    @Override
    public void append(Entry entry) {
        if (ring.length == 0) {
            return;
        }
        if (size == ring.length) {
            Entry evicted = ring[head];
            journal.dropped(evicted.id(), evicted.sequence());
            ring[head] = entry;
            head = (head + 1) % ring.length;
        } else {
            ring[(head + size) % ring.length] = entry;
            size++;
        }
        journal.retained(entry.id(), entry.sequence());
    }

    @Override
    public void forEachAfter(long sequence, Consumer<Entry> action) {
        int low = 0;
        int high = size;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (at(mid).sequence() <= sequence) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        for (int i = low; i < size; i++) {
            action.accept(at(i));
        }
    }

    private Entry at(int offset) {
        return ring[(head + offset) % ring.length];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void clear() {
        for (int i = 0; i < size; i++) {
            Entry entry = at(i);
            journal.dropped(entry.id(), entry.sequence());
        }
        java.util.Arrays.fill(ring, null);
        head = 0;
        size = 0;
    }
}
