package io.quarkiverse.ssechannels.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.testing.FrameParser;
import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * Generated messages, encoded and decoded again by a parser that follows the WHATWG event stream interpretation:
 * every message either comes back exactly as sent or was refused when built, and nothing else.
 */
public class EncoderSpecTest {

    private static final int MESSAGES = 20_000;
    /** Pieces that trip encoders up: line ends of every kind, leading spaces, colons, NUL, astral characters. */
    private static final String[] PIECES = { "\n", "\r", "\r\n", "\n\r", " ", "  ", ":", ": ", "data:", "id:", "\0",
            "é", "日本", "😀", "\t", "\u2028", "\ufeff", "x", "hello", "event", "" };

    private final SseEncoder encoder = new SseEncoder(null, Long.MAX_VALUE);

    @Test
    void everyMessageDecodesToWhatWasSentOrIsRefused() {
        SplittableRandom random = new SplittableRandom(20261124);
        int refused = 0;
        for (int n = 0; n < MESSAGES; n++) {
            String comment = random.nextInt(4) == 0 ? text(random) : null;
            String event = random.nextInt(2) == 0 ? text(random) : null;
            String id = random.nextInt(2) == 0 ? text(random) : null;
            Long retry = random.nextInt(5) == 0 ? (long) random.nextInt(-5, 100_000) : null;
            String data = random.nextInt(6) == 0 ? null : text(random);
            SseMessage message;
            try {
                message = SseMessage.builder().comment(comment).event(event).id(id).retry(retry).data(data).build();
            } catch (IllegalArgumentException e) {
                refused++;
                assertTrue(shouldRefuse(comment, event, id, retry), "refused a valid message: " + e.getMessage());
                continue;
            }
            if (shouldRefuse(comment, event, id, retry)) {
                fail("accepted an invalid message: " + message);
            }
            List<SseClient.Frame> frames = decode(message);
            if (comment == null && event == null && id == null && retry == null && data == null) {
                assertEquals(List.of(), frames);
                continue;
            }
            assertEquals(1, frames.size(), () -> "one frame for " + message);
            SseClient.Frame frame = frames.get(0);
            assertEquals(comment == null ? List.of() : List.of(comment.isEmpty() ? "" : " " + comment), frame.comments(),
                    "comment");
            assertEquals(event, frame.event(), "event");
            assertEquals(id, frame.id(), "id");
            assertEquals(retry, frame.retry(), "retry");
            String expectedData = data != null ? data.replace("\r\n", "\n").replace('\r', '\n')
                    : message.isEvent() ? "" : null;
            assertEquals(expectedData, frame.data(), () -> "data of " + message);
        }
        assertTrue(refused > MESSAGES / 20, "the generator also made invalid messages: " + refused);
        assertTrue(refused < MESSAGES / 2, "and mostly valid ones: " + refused);
    }

    /**
     * A channel writes a server id into the room left after the body, and a connection in several channels writes
     * the body and its own cursor line: both decode to the message with that id.
     */
    @Test
    void positionIdsWrittenInPlaceOrAfterTheBodyDecodeLikeAnyId() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 2_000; n++) {
            String data = text(random);
            String event = random.nextInt(2) == 0 ? null : "e" + n;
            SseMessage message = SseMessage.builder().event(event).data(data).build();
            String position = Cursor.position(Cursor.newEpoch(), random.nextLong(0, Long.MAX_VALUE));
            SseEncoder.Prepared prepared = encoder.prepare(message);
            String cursor = position + "." + Cursor.position(Cursor.newEpoch(), n);
            for (String[] wire : new String[][] {
                    { position, prepared.frameWithPosition(position).toString(StandardCharsets.UTF_8) },
                    { cursor, prepared.body().toString(StandardCharsets.UTF_8)
                            + SseEncoder.position(cursor).toString(StandardCharsets.UTF_8) } }) {
                List<SseClient.Frame> frames = decode(wire[1]);
                assertEquals(1, frames.size(), wire[1]);
                assertEquals(wire[0], frames.get(0).id());
                assertEquals(event, frames.get(0).event());
                assertEquals(data.replace("\r\n", "\n").replace('\r', '\n'), frames.get(0).data());
            }
        }
    }

    @Test
    void veryLongLinesSurvive() {
        String line = "ab:c ".repeat(200_000);
        List<SseClient.Frame> frames = decode(SseMessage.data(line + "\n" + line));
        assertEquals(line + "\n" + line, frames.get(0).data());
    }

    @Test
    void refusalsNameTheFieldAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SseMessage.builder().id("a\nb"));
        assertEquals("SSE field [id] must not contain CR or LF, got [a\\nb]; split it or send it as data",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SseMessage.builder().event("a\rb"));
        assertTrue(e.getMessage().startsWith("SSE field [event]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SseMessage.builder().comment("x\n"));
        assertTrue(e.getMessage().startsWith("SSE field [comment]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SseMessage.builder().id("a\0b"));
        assertEquals("SSE field [id] must not contain control characters, since a client sends it back in a header, "
                + "got [a\\0b]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SseMessage.builder().retry(-1L));
        assertEquals("SSE field [retry] must be zero or more milliseconds, got [-1]", e.getMessage());
        assertNull(SseMessage.builder().build().data());
    }

    private static boolean shouldRefuse(String comment, String event, String id, Long retry) {
        return hasLineBreak(comment) || hasLineBreak(event) || (id != null && Text.hasControlCharacter(id))
                || (retry != null && retry < 0);
    }

    private static boolean hasLineBreak(String value) {
        return value != null && (value.contains("\n") || value.contains("\r"));
    }

    private List<SseClient.Frame> decode(SseMessage message) {
        List<SseClient.Frame> frames = new ArrayList<>();
        FrameParser parser = new FrameParser(frames::add);
        return decode(encoder.encode(message).toString(StandardCharsets.UTF_8));
    }

    private static List<SseClient.Frame> decode(String wire) {
        List<SseClient.Frame> frames = new ArrayList<>();
        FrameParser parser = new FrameParser(frames::add);
        // fed in two pieces split at a random point, as a network would
        int cut = wire.length() / 3;
        parser.feed(wire.substring(0, cut));
        parser.feed(wire.substring(cut));
        return frames;
    }

    private static String text(SplittableRandom random) {
        int pieces = random.nextInt(0, 6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(3) == 0) {
                sb.appendCodePoint(random.nextInt(0x20, 0x2FFF));
            } else {
                sb.append(PIECES[random.nextInt(PIECES.length)]);
            }
        }
        return sb.toString();
    }
}
