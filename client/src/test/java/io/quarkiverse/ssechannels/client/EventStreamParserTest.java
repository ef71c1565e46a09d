package io.quarkiverse.ssechannels.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The parser against the WHATWG rules, with every stream also fed split at each of its bytes. */
class EventStreamParserTest {

    @Test
    void eventsFieldsAndComments() {
        String stream = ": hello\n\nid: 1\nevent: weather\ndata: sunny\n\ndata: two\ndata: lines\n\n"
                + "data:no space\ndata:  two spaces\n\nevent:\ndata\n\n";
        List<SseEvent> expected = List.of(new SseEvent("1", "weather", "sunny"),
                new SseEvent("1", "message", "two\nlines"), new SseEvent("1", "message", "no space\n two spaces"),
                new SseEvent("1", "message", ""));
        assertEveryWay(stream, expected, "1");
    }

    @Test
    void everyLineEnding() {
        String stream = "id: a\r\ndata: crlf\r\n\r\nid: b\rdata: cr\r\rid: c\ndata: lf\n\n";
        assertEveryWay(stream, List.of(new SseEvent("a", "message", "crlf"), new SseEvent("b", "message", "cr"),
                new SseEvent("c", "message", "lf")), "c");
    }

    @Test
    void aBlockWithoutDataMovesTheLastEventIdAndDispatchesNothing() {
        String stream = "id: 1\ndata: x\n\nid: position-7\n\ndata: y\n\n";
        assertEveryWay(stream, List.of(new SseEvent("1", "message", "x"), new SseEvent("position-7", "message", "y")),
                "position-7");
    }

    @Test
    void idsWithNulAndRetriesThatAreNotNumbersAreIgnored() {
        List<SseEvent> events = new ArrayList<>();
        EventStreamParser parser = new EventStreamParser(null, events::add);
        parser.feed(bytes("id: 1\nretry: 1500\ndata: a\n\nid: 2\u00003\nretry: 2s\ndata: b\n\n"));
        assertEquals(List.of(new SseEvent("1", "message", "a"), new SseEvent("1", "message", "b")), events);
        assertEquals(1500L, parser.retry());
        parser.feed(bytes("id:\ndata: c\n\n"));
        assertNull(parser.lastEventId(), "an empty id clears it");
        assertEquals(new SseEvent(null, "message", "c"), events.get(2));
    }

    @Test
    void aByteOrderMarkIsDroppedAndMultiByteCharactersSurviveAnySplit() {
        String stream = "\uFEFFdata: caf\u00e9 \u2603 \uD83D\uDE00\n\n";
        assertEveryWay(stream, List.of(new SseEvent(null, "message", "caf\u00e9 \u2603 \uD83D\uDE00")), null);
    }

    @Test
    void aBlockCutOffByAReconnectionIsDropped() {
        List<SseEvent> events = new ArrayList<>();
        EventStreamParser parser = new EventStreamParser("0", events::add);
        parser.feed(bytes("id: 1\ndata: whole\n\nid: 2\ndata: cut"));
        parser.reconnected();
        assertEquals("1", parser.lastEventId(), "the cut block's id is not the last event id");
        parser.feed(bytes("\uFEFFid: 2\ndata: again\n\n"));
        assertEquals(List.of(new SseEvent("1", "message", "whole"), new SseEvent("2", "message", "again")), events);
    }

    @Test
    void theStartingIdHoldsUntilTheStreamSetsOne() {
        List<SseEvent> events = new ArrayList<>();
        EventStreamParser parser = new EventStreamParser("41", events::add);
        parser.feed(bytes("data: no id\n\n"));
        assertEquals(List.of(new SseEvent("41", "message", "no id")), events);
    }

    /** Feeds the stream whole, then split in two at every byte, then one byte at a time. */
    private static void assertEveryWay(String stream, List<SseEvent> expected, String lastId) {
        byte[] bytes = bytes(stream);
        List<List<byte[]>> ways = new ArrayList<>();
        ways.add(List.of(bytes));
        for (int i = 1; i < bytes.length; i++) {
            ways.add(List.of(Arrays.copyOfRange(bytes, 0, i), Arrays.copyOfRange(bytes, i, bytes.length)));
        }
        List<byte[]> single = new ArrayList<>();
        for (byte b : bytes) {
            single.add(new byte[] { b });
        }
        ways.add(single);
        for (List<byte[]> chunks : ways) {
            List<SseEvent> events = new ArrayList<>();
            EventStreamParser parser = new EventStreamParser(null, events::add);
            chunks.forEach(parser::feed);
            String how = chunks.size() + " chunks, the first of " + chunks.get(0).length + " bytes";
            assertEquals(expected, events, how);
            assertEquals(lastId, parser.lastEventId(), how);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
