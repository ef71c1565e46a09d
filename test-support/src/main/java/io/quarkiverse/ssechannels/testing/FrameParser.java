package io.quarkiverse.ssechannels.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses an event stream incrementally by the WHATWG rules: lines end in CRLF, LF or CR; a line starting with a
 * colon is a comment; one space after the field colon is dropped; data lines are joined with LF; an id with NUL is
 * ignored; retry must be ASCII digits; a blank line ends the block.
 */
public final class FrameParser {

    private final Consumer<SseClient.Frame> sink;
    private final StringBuilder line = new StringBuilder();
    private boolean lastWasCr;
    private String lastEventId;

    private List<String> comments = new ArrayList<>();
    private String event;
    private String id;
    private StringBuilder data;
    private Long retry;

    public FrameParser(Consumer<SseClient.Frame> sink) {
        this.sink = sink;
    }

    public void feed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = c == '\r';
            if (c == '\n' || c == '\r') {
                line(line.toString());
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
    }

    private void line(String text) {
        if (text.isEmpty()) {
            if (!comments.isEmpty() || event != null || id != null || data != null || retry != null) {
                sink.accept(new SseClient.Frame(List.copyOf(comments), event, id,
                        data == null ? null : data.toString(), retry, lastEventId));
            }
            comments = new ArrayList<>();
            event = null;
            id = null;
            data = null;
            retry = null;
            return;
        }
        if (text.charAt(0) == ':') {
            comments.add(text.substring(1));
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> event = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    id = value;
                    lastEventId = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
                // unknown fields are ignored
            }
        }
    }
}
