package io.quarkiverse.ssechannels.runtime;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/**
 * An event of a shared log as the broker carries it: {@code E<epoch>\n<offset>\n<stamp>\n<id field>\n<body>}, the
 * body being the frame without its id line (see {@link SseEncoder.Prepared}).
 *
 * @param callerId the caller's id, {@code null} when the id is the event's position
 */
record SharedEvent(String epoch, long offset, long stamp, String callerId, byte[] body) {

    static SharedEvent parse(Buffer message) {
        byte[] bytes = message.getBytes();
        if (bytes.length == 0 || bytes[0] != 'E') {
            throw new IllegalArgumentException("Not an event of a shared SSE channel log");
        }
        try {
            return parseEvent(bytes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Not an event of a shared SSE channel log: " + e, e);
        }
    }

    private static SharedEvent parseEvent(byte[] bytes) {
        int at = 1;
        int end = lineEnd(bytes, at);
        String epoch = new String(bytes, at, end - at, StandardCharsets.UTF_8);
        at = end + 1;
        end = lineEnd(bytes, at);
        long offset = Long.parseLong(new String(bytes, at, end - at, StandardCharsets.US_ASCII));
        at = end + 1;
        end = lineEnd(bytes, at);
        long stamp = Long.parseLong(new String(bytes, at, end - at, StandardCharsets.US_ASCII));
        at = end + 1;
        end = lineEnd(bytes, at);
        String callerId = end == at ? null : new String(bytes, at + 1, end - at - 1, StandardCharsets.UTF_8);
        at = end + 1;
        byte[] body = new byte[bytes.length - at + SseEncoder.POSITION_LINE_ROOM];
        System.arraycopy(bytes, at, body, 0, bytes.length - at);
        return new SharedEvent(epoch, offset, stamp, callerId, body);
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("Truncated event of a shared SSE channel log");
    }

    /** @return the event as the channel publishes it to its connections, its frame built once */
    Event toEvent(ChannelImpl channel) {
        SseEncoder.Prepared prepared = new SseEncoder.Prepared(callerId, body,
                body.length - SseEncoder.POSITION_LINE_ROOM);
        boolean caller = callerId != null;
        String id = caller ? callerId : Cursor.position(epoch, offset);
        Buffer frame = caller ? prepared.frame(null) : prepared.frameWithPosition(id);
        return new Event(channel, offset, stamp, id, caller, frame, prepared.body(), null);
    }
}
