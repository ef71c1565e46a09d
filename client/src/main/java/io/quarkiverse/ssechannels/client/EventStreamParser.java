package io.quarkiverse.ssechannels.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Parses an event stream incrementally, by the WHATWG rules a browser's {@code EventSource} follows: the bytes are
 * UTF-8 (a leading byte order mark is dropped), lines end in CRLF, LF or CR (also when a chunk ends between the CR and
 * the LF), a line starting with a colon is a comment, one space after a field's colon is dropped, data lines are
 * joined with LF, an id with NUL is ignored, a retry that is not all ASCII digits is ignored, and a blank line
 * dispatches the block. A block without data dispatches nothing, yet its id still becomes the last event id: that
 * is how a server moves a client's position without an event. Not thread safe: one connection's bytes, in order.
 */
final class EventStreamParser {

    private static final byte[] BOM = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };
    /** The longest line taken: a server that never ends one must not take all the memory. */
    static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

    private final Consumer<SseEvent> events;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private boolean lastWasCr;
    private int bomChecked;
    private String lastEventId;
    private Long retry;

    /** The id field of the block being read, if it has one: it becomes the last event id when the block ends. */
    private String pendingId;
    private String eventType;
    private StringBuilder data;

    /**
     * @param lastEventId the last event id the stream continues from, {@code null} for none
     * @param events receives each event dispatched
     */
    EventStreamParser(String lastEventId, Consumer<SseEvent> events) {
        this.lastEventId = lastEventId;
        this.events = events;
    }

    /** A new connection: its stream may start with a byte order mark, and a block cut off before is dropped. */
    void reconnected() {
        line.reset();
        lastWasCr = false;
        bomChecked = 0;
        pendingId = null;
        eventType = null;
        data = null;
    }

    /**
     * @throws SseClientException if a line grows longer than {@link #MAX_LINE_BYTES}
     */
    void feed(byte[] bytes) {
        int from = 0;
        // a byte order mark may come split across chunks: compare it byte by byte while it matches
        while (bomChecked < BOM.length && from < bytes.length) {
            if (bytes[from] != BOM[bomChecked]) {
                // not a mark: the bytes compared so far are text
                line.write(BOM, 0, bomChecked);
                bomChecked = BOM.length;
                break;
            }
            bomChecked++;
            from++;
        }
        int i = from;
        if (lastWasCr && i < bytes.length && bytes[i] == '\n') {
            // the LF of a CRLF that the previous chunk ended between
            i++;
        }
        lastWasCr = false;
        while (i < bytes.length) {
            int end = i;
            while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            if (line.size() + end - i > MAX_LINE_BYTES) {
                throw new SseClientException("The event stream has a line longer than " + MAX_LINE_BYTES
                        + " bytes: it is not followed further", 200);
            }
            line.write(bytes, i, end - i);
            if (end == bytes.length) {
                return;
            }
            line(line.toString(StandardCharsets.UTF_8));
            line.reset();
            i = end + 1;
            if (bytes[end] == '\r') {
                if (i == bytes.length) {
                    lastWasCr = true;
                } else if (bytes[i] == '\n') {
                    i++;
                }
            }
        }
    }

    /** @return the last event id: the id field of the last block dispatched, whether it had data or not */
    String lastEventId() {
        return lastEventId;
    }

    /** @return the reconnection time the server last asked for, in milliseconds, {@code null} if none */
    Long retry() {
        return retry;
    }

    private void line(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = "";
        if (colon >= 0) {
            int start = colon + 1 < text.length() && text.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
            value = text.substring(start);
        }
        switch (field) {
            case "event" -> eventType = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value.length() + 1);
                }
                data.append(value).append('\n');
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    pendingId = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9') && value.length() < 19) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
                // unknown fields are ignored
            }
        }
    }

    private void dispatch() {
        if (pendingId != null) {
            lastEventId = pendingId.isEmpty() ? null : pendingId;
            pendingId = null;
        }
        StringBuilder d = data;
        String type = eventType;
        data = null;
        eventType = null;
        if (d == null) {
            return;
        }
        d.setLength(d.length() - 1);
        events.accept(new SseEvent(lastEventId, type == null || type.isEmpty() ? "message" : type, d.toString()));
    }
}
