package io.quarkiverse.ssechannels.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
    private static final byte[] END = { '\n' };
    /** {@code "id: "}, an epoch, {@code '-'}, a long offset and the blank line; positions are ASCII. */
    static final int POSITION_LINE_ROOM = 4 + Cursor.EPOCH_LENGTH + 1 + 19 + 2;

    private final DataSerializer serializer;
    private final long maxDataSize;

    SseEncoder(DataSerializer serializer, long maxDataSize) {
        this.serializer = serializer;
        this.maxDataSize = maxDataSize;
    }

    /** @return the message's frame, with its own id if it has one */
    Buffer encode(SseMessage message) {
        return prepare(message).frame(null);
    }

    /**
     * Encodes every field but the id, which a channel chooses under its lock and a connection in several channels
     * replaces with its own cursor. Serialisation and size checks happen here, outside any lock.
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
        StringBuilder sb = new StringBuilder(32 + (data == null ? 0 : data.length()));
        if (message.comment() != null) {
            field(sb, "", message.comment());
        }
        if (message.event() != null) {
            field(sb, "event", message.event());
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
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        // room for a position id line, so that a channel writes its id in place, without a copy under its lock
        byte[] bytes = Arrays.copyOf(body, body.length + POSITION_LINE_ROOM);
        return new Prepared(message.id(), bytes, body.length);
    }

    /**
     * A frame without its id line and closing blank line, followed by room for a position id line. The id comes last:
     * a client applies the fields of a block in any order when the blank line ends it.
     */
    record Prepared(String id, byte[] bytes, int bodyLength) {

        /** @param theId the id to write, {@code null} for the message's own (if any) */
        Buffer frame(String theId) {
            String written = theId != null ? theId : id;
            byte[] end = written == null ? END : idLine(written);
            byte[] frame = Arrays.copyOf(bytes, bodyLength + end.length);
            System.arraycopy(end, 0, frame, bodyLength, end.length);
            return Buffer.buffer(Unpooled.wrappedBuffer(frame));
        }

        /**
         * Writes a position id line ({@code <epoch>-<offset>}) into the room after the body. Call it once per
         * message: the frame shares its bytes, so a second call would rewrite an event already sent.
         */
        Buffer frameWithPosition(String position) {
            int at = bodyLength;
            bytes[at++] = 'i';
            bytes[at++] = 'd';
            bytes[at++] = ':';
            bytes[at++] = ' ';
            for (int i = 0; i < position.length(); i++) {
                bytes[at++] = (byte) position.charAt(i);
            }
            bytes[at++] = '\n';
            bytes[at++] = '\n';
            return Buffer.buffer(Unpooled.wrappedBuffer(bytes, 0, at));
        }

        Buffer body() {
            return Buffer.buffer(Unpooled.wrappedBuffer(bytes, 0, bodyLength));
        }
    }

    /** @return {@code id: <id>} and the blank line that ends a frame */
    static byte[] idLine(String id) {
        return ("id: " + id + "\n\n").getBytes(StandardCharsets.UTF_8);
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

    /**
     * One {@code data:} line per line of the value, which a CR, an LF or a CRLF ends. Finds the line ends with
     * {@code indexOf}, which the JVM vectorises: a character-by-character scan cost about 5 ns a character.
     */
    private static void dataLines(StringBuilder sb, String value) {
        int nl = value.indexOf('\n');
        int cr = value.indexOf('\r');
        int start = 0;
        while (nl >= 0 || cr >= 0) {
            int end = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
            field(sb, "data", value.substring(start, end));
            start = end == cr && nl == cr + 1 ? end + 2 : end + 1;
            if (nl >= 0 && nl < start) {
                nl = value.indexOf('\n', start);
            }
            if (cr >= 0 && cr < start) {
                cr = value.indexOf('\r', start);
            }
        }
        field(sb, "data", value.substring(start));
    }

    static Buffer ping() {
        return Buffer.buffer(Unpooled.wrappedBuffer(PING));
    }

    /** A frame that sets the client's last event id without dispatching an event: it has no data line. */
    static Buffer position(String id) {
        return Buffer.buffer(Unpooled.wrappedBuffer(idLine(id)));
    }

    /** The last frame of a stream the server ends: when to come back. */
    static Buffer retry(long millis) {
        return frozen("retry: " + millis + "\n\n");
    }

    private static Buffer frozen(String frame) {
        // Wrapping avoids a copy; every connection writes a read-only slice of the same bytes.
        return Buffer.buffer(Unpooled.wrappedBuffer(frame.getBytes(StandardCharsets.UTF_8)));
    }
}
