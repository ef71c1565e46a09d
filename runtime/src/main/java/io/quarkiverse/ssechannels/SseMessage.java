package io.quarkiverse.ssechannels;

import static io.quarkiverse.ssechannels.runtime.Text.escape;

import io.quarkiverse.ssechannels.runtime.Text;

import java.util.Objects;

/**
 * One Server-Sent Events message: an optional comment, event name, id, reconnection delay and data.
 * <p>
 * Instances are immutable and thread safe; build them with {@link #builder()} or the shortcuts
 * {@link #data(Object)} and {@link #comment(String)}. Every field is validated when the message is built, so a
 * message that exists can always be written: an event name or comment containing CR or LF, an id containing a
 * control character, or a negative retry is refused with an {@link IllegalArgumentException} that names the field and the value.
 * <p>
 * Data may contain line breaks (LF, CR or CRLF); each line becomes its own {@code data:} line on the wire and the
 * client joins them back with LF. Data that is not a {@link CharSequence} is serialised to JSON with the
 * application's Jackson {@code ObjectMapper}, which needs {@code quarkus-jackson} (or any extension bringing it).
 */
public final class SseMessage {

    private final String comment;
    private final String event;
    private final String id;
    private final Long retry;
    private final Object data;

    private SseMessage(Builder builder) {
        this.comment = builder.comment;
        this.event = builder.event;
        this.id = builder.id;
        this.retry = builder.retry;
        this.data = builder.data;
    }

    /**
     * @return a new builder with no field set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param data the data, text or an object to serialise to JSON; not {@code null}
     * @return a message carrying only data, dispatched by browsers as a {@code message} event
     */
    public static SseMessage data(Object data) {
        return builder().data(Objects.requireNonNull(data, "data")).build();
    }

    /**
     * @param comment the comment, without CR or LF; not {@code null}
     * @return a message carrying only a comment, which clients ignore (useful to keep proxies from timing out)
     */
    public static SseMessage comment(String comment) {
        return builder().comment(Objects.requireNonNull(comment, "comment")).build();
    }

    /**
     * @return the comment, or {@code null}
     */
    public String comment() {
        return comment;
    }

    /**
     * @return the event name, or {@code null} (clients then dispatch a {@code message} event)
     */
    public String event() {
        return event;
    }

    /**
     * @return the id, or {@code null}; a channel assigns one to every event sent without
     */
    public String id() {
        return id;
    }

    /**
     * @return the reconnection delay in milliseconds, or {@code null}
     */
    public Long retry() {
        return retry;
    }

    /**
     * @return the data as given to the builder (text or an object serialised to JSON when sent), or {@code null}
     */
    public Object data() {
        return data;
    }

    /**
     * @return {@code true} when the message dispatches an event on the client, that is when it has data, an event
     *         name or an id; comment-only and retry-only messages do not
     */
    public boolean isEvent() {
        return data != null || event != null || id != null;
    }

    /**
     * @param newId the id to use instead of this message's one, validated like {@link Builder#id(String)}
     * @return a copy of this message with the given id
     */
    public SseMessage withId(String newId) {
        return toBuilder().id(newId).build();
    }

    /**
     * @return a builder holding this message's fields
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.comment = comment;
        b.event = event;
        b.id = id;
        b.retry = retry;
        b.data = data;
        return b;
    }

    @Override
    public String toString() {
        return "SseMessage[event=" + event + ", id=" + id + ", retry=" + retry + ", comment=" + comment
                + ", data=" + data + "]";
    }

    /**
     * Builds an {@link SseMessage}. Not thread safe; every setter validates its value at once.
     */
    public static final class Builder {
        private String comment;
        private String event;
        private String id;
        private Long retry;
        private Object data;

        private Builder() {
        }

        /**
         * @param comment a comment line, or {@code null} for none; must not contain CR or LF
         * @return this builder
         * @throws IllegalArgumentException if the comment contains CR or LF
         */
        public Builder comment(String comment) {
            this.comment = requireSingleLine("comment", comment);
            return this;
        }

        /**
         * @param event the event name, or {@code null} for the default {@code message} event; must not contain CR or
         *        LF
         * @return this builder
         * @throws IllegalArgumentException if the name contains CR or LF
         */
        public Builder event(String event) {
            this.event = requireSingleLine("event", event);
            return this;
        }

        /**
         * @param id the event id, or {@code null}; must not contain CR, LF or any other control character: a client
         *        sends it back in the {@code Last-Event-ID} header, where the extension ignores control characters
         * @return this builder
         * @throws IllegalArgumentException if the id contains a control character
         */
        public Builder id(String id) {
            requireSingleLine("id", id);
            if (id != null && Text.hasControlCharacter(id)) {
                throw new IllegalArgumentException("SSE field [id] must not contain control characters, since a "
                        + "client sends it back in a header, got [" + escape(id) + "]");
            }
            this.id = id;
            return this;
        }

        /**
         * @param retryMillis the reconnection delay the client should use, in milliseconds, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException if the delay is negative
         */
        public Builder retry(Long retryMillis) {
            if (retryMillis != null && retryMillis < 0) {
                throw new IllegalArgumentException(
                        "SSE field [retry] must be zero or more milliseconds, got [" + retryMillis + "]");
            }
            this.retry = retryMillis;
            return this;
        }

        /**
         * @param data text (any line breaks allowed) or an object serialised to JSON when sent; {@code null} for none
         * @return this builder
         */
        public Builder data(Object data) {
            this.data = data;
            return this;
        }

        /**
         * @return the message
         */
        public SseMessage build() {
            return new SseMessage(this);
        }
    }

    private static String requireSingleLine(String field, String value) {
        if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("SSE field [" + field + "] must not contain CR or LF, got ["
                    + escape(value) + "]; split it or send it as data");
        }
        return value;
    }
}
