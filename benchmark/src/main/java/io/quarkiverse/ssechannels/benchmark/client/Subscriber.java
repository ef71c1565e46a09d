package io.quarkiverse.ssechannels.benchmark.client;

import io.vertx.core.buffer.Buffer;

/**
 * One SSE stream of the load client. It scans the bytes for data lines only (no strings, no parser objects), each
 * holding {@code <sequence> <send nanos> <padding>}; it counts duplicates, and notes whether sequences came in the
 * order they were published (meaningful only when one publisher sends them one after the other).
 * Confined to the client's single event loop.
 */
final class Subscriber {

    private final Run run;
    private final byte[] line = new byte[64];
    private int length;
    private boolean skipping;
    private final java.util.BitSet seen = new java.util.BitSet();
    long received;
    long duplicates;
    long probes;
    long next;
    boolean inOrder = true;
    /** How the stream ended, if it did before the run was over: what a short stream's report says. */
    volatile String ended;

    Subscriber(Run run, long firstExpected) {
        this.run = run;
        this.next = firstExpected;
    }

    void handle(Buffer buffer) {
        long now = System.nanoTime();
        int n = buffer.length();
        for (int i = 0; i < n; i++) {
            byte b = buffer.getByte(i);
            if (b == '\n') {
                if (!skipping) {
                    line(now);
                }
                length = 0;
                skipping = false;
            } else if (!skipping) {
                if (length < line.length) {
                    line[length++] = b;
                } else {
                    // the padding of a data line: its sequence and send time are already in
                    skipping = !isData();
                    if (!skipping) {
                        line(now);
                        skipping = true;
                    }
                }
            }
        }
    }

    private boolean isData() {
        return length >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':';
    }

    private void line(long now) {
        if (!isData()) {
            return;
        }
        int i = line[5] == ' ' ? 6 : 5;
        boolean negative = i < length && line[i] == '-';
        if (negative) {
            probes++;
            run.probed(this);
            return;
        }
        long sequence = 0;
        for (; i < length && line[i] != ' '; i++) {
            sequence = sequence * 10 + (line[i] - '0');
        }
        long sent = 0;
        for (i++; i < length && line[i] >= '0' && line[i] <= '9'; i++) {
            sent = sent * 10 + (line[i] - '0');
        }
        if (sequence != next) {
            inOrder = false;
        }
        if (seen.get((int) sequence)) {
            duplicates++;
        }
        seen.set((int) sequence);
        next = sequence + 1;
        received++;
        run.delivered(now - sent);
    }
}
