package io.quarkiverse.ssechannels.runtime;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The ids the extension writes: a position {@code <epoch>-<offset>} in one channel's log, and a cursor, positions in
 * several channels joined with {@code .}. An epoch is 8 random characters from {@code [0-9a-z]}, drawn for every
 * channel instance, so an id from another process (or, later, another incarnation of the channel) never matches a
 * current position by accident.
 */
final class Cursor {

    static final int EPOCH_LENGTH = 8;
    private static final String DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

    private Cursor() {
    }

    static String newEpoch() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] epoch = new char[EPOCH_LENGTH];
        for (int i = 0; i < epoch.length; i++) {
            epoch[i] = DIGITS.charAt(random.nextInt(DIGITS.length()));
        }
        return new String(epoch);
    }

    static String position(String epoch, long offset) {
        return epoch + '-' + offset;
    }

    static void appendPosition(StringBuilder sb, String epoch, long offset) {
        if (sb.length() > 0) {
            sb.append('.');
        }
        sb.append(epoch).append('-').append(offset);
    }

    /**
     * @return the offset the id gives for this epoch, or -1 when the id is no cursor or has no position for it
     */
    static long offsetIn(String id, String epoch) {
        int at = 0;
        int n = id.length();
        while (at < n) {
            int end = id.indexOf('.', at);
            if (end < 0) {
                end = n;
            }
            int dash = at + EPOCH_LENGTH;
            if (dash >= end || id.charAt(dash) != '-' || end - dash - 1 > 18) {
                return -1;
            }
            long offset = digits(id, dash + 1, end);
            if (offset < 0) {
                return -1;
            }
            if (id.regionMatches(at, epoch, 0, EPOCH_LENGTH)) {
                return offset;
            }
            at = end + 1;
        }
        return -1;
    }

    private static long digits(String id, int from, int to) {
        if (from == to) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
