package io.quarkiverse.ssechannels.runtime;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.quarkiverse.ssechannels.SseMessage;
import io.vertx.core.buffer.Buffer;

/**
 * Turns a message into the bytes of one event-stream frame. Values are written after {@code ": "}, so a value that
 * starts with a space keeps it (clients strip exactly one space after the colon).
 */
final class SseEncoder {

    // Bytes, not a Buffer: a Netty buffer in static state would end up in a native image's heap.
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

    private final DataSerializer serializer;
    private final long maxDataSize;

    SseEncoder(DataSerializer serializer, long maxDataSize) {
        this.serializer = serializer;
        this.maxDataSize = maxDataSize;
    }

    /**
     * @param id the id to write instead of the message's own one ({@code null} keeps the message's)
     */
    Buffer encode(SseMessage message, String id) {
        return prepare(message).frame(id);
    }

    /**
     * Resolves the data to text (JSON serialisation included), leaving only the id to choose. Channels prepare
     * outside their lock and frame under it, where the id they assign is known.
     */
    Prepared prepare(SseMessage message) {
        String data = message.data() == null ? null : text(message.data());
        if (data != null && data.length() > maxDataSize / 3) {
            // a UTF-8 char takes at most 3 bytes: only text that might be too large is measured
            long size = data.getBytes(StandardCharsets.UTF_8).length;
            if (size > maxDataSize) {
                throw new IllegalArgumentException("SSE data of " + size + " bytes is larger than "
                        + "quarkus.sse-channels.max-data-size [" + maxDataSize + " bytes]; send less, or raise the limit");
            }
        }
        return new Prepared(message, data);
    }

    record Prepared(SseMessage message, String data) {

        Buffer frame(String id) {
            StringBuilder sb = new StringBuilder(32 + (data == null ? 0 : data.length()));
            if (message.comment() != null) {
                field(sb, "", message.comment());
            }
            if (message.event() != null) {
                field(sb, "event", message.event());
            }
            String theId = id != null ? id : message.id();
            if (theId != null) {
                field(sb, "id", theId);
            }
            if (message.retry() != null) {
                field(sb, "retry", message.retry().toString());
            }
            if (data != null) {
                dataLines(sb, data);
            } else if (message.isEvent()) {
                // Without a data line a client dispatches nothing; an event name or id alone is meant to be seen.
                sb.append("data:\n");
            }
            sb.append('\n');
            return frozen(sb.toString());
        }
    }

    private String text(Object data) {
        if (data instanceof CharSequence cs) {
            return cs.toString();
        }
        if (serializer == null) {
            throw new IllegalArgumentException("SSE data of type [" + data.getClass().getName()
                    + "] needs JSON serialisation: add quarkus-jackson (or quarkus-rest-jackson) to the application, "
                    + "or send a String");
        }
        return serializer.toJson(data);
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(name).append(':');
        if (!value.isEmpty()) {
            sb.append(' ').append(value);
        }
        sb.append('\n');
    }

    private static void dataLines(StringBuilder sb, String value) {
        int start = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r') {
                field(sb, "data", value.substring(start, i));
                if (c == '\r' && i + 1 < n && value.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        field(sb, "data", value.substring(start));
    }

    static Buffer ping() {
        return Buffer.buffer(Unpooled.wrappedBuffer(PING));
    }

    /** The last frame of a stream the server ends at shutdown: when to come back. */
    static Buffer retry(long millis) {
        return frozen("retry: " + millis + "\n\n");
    }

    private static Buffer frozen(String frame) {
        // Wrapping avoids a copy; every connection writes a read-only slice of the same bytes.
        return Buffer.buffer(Unpooled.wrappedBuffer(frame.getBytes(StandardCharsets.UTF_8)));
    }
}
