package io.quarkiverse.ssechannels.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link ResumingSseClient#follow} connects and reconnects. Immutable: each {@code with} method returns a copy.
 *
 * @param lastEventId the last event id to resume from on the first connection, {@code null} to start from what the
 *        server sends a new client
 * @param retry the delay before reconnecting after the server ended a stream, until the server sets its own with a
 *        {@code retry:} field
 * @param maxBackoff the longest delay (before jitter) that failed attempts back off to; a longer {@code retry:} or
 *        {@code Retry-After} from the server is obeyed all the same
 * @param idleTimeout how long a connection may stay silent before it is dropped and the stream resumed on a new one,
 *        {@link Duration#ZERO} for never; make it longer than the server's ping interval (quarkus-sse-channels pings
 *        every 50 s by default)
 * @param headers sent with every request, besides {@code Accept}, {@code Cache-Control} and {@code Last-Event-ID}
 */
public record FollowOptions(String lastEventId, Duration retry, Duration maxBackoff, Duration idleTimeout,
        Map<String, String> headers) {

    /**
     * The defaults: no last event id, 3 s before reconnecting (as browsers wait), at most 30 s between failed
     * attempts, connections silent for 2 minutes dropped.
     */
    public static FollowOptions defaults() {
        return new FollowOptions(null, Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(2), Map.of());
    }

    /**
     * @throws IllegalArgumentException for a negative delay, a maximum backoff shorter than the retry delay, an idle
     *         timeout that is negative or not whole milliseconds below 2^31, or a header that cannot be sent (a
     *         control character in its name or value, a blank name)
     */
    public FollowOptions {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        if (retry.isNegative() || maxBackoff.compareTo(retry) < 0) {
            throw new IllegalArgumentException("FollowOptions needs 0 <= retry <= maxBackoff, got retry " + retry
                    + " and maxBackoff " + maxBackoff);
        }
        if (idleTimeout.isNegative() || idleTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("FollowOptions needs an idleTimeout of 0 (never) or more, below 24 "
                    + "days, got " + idleTimeout);
        }
        if (lastEventId != null && !isHeaderValue(lastEventId)) {
            throw new IllegalArgumentException("A last event id with control characters cannot be sent in a header: ["
                    + lastEventId.replaceAll("\\p{Cntrl}", "?") + "]");
        }
        headers.forEach((name, value) -> {
            if (name.isBlank() || !isHeaderValue(name) || name.chars().anyMatch(c -> c == ':' || c == ' ')
                    || !isHeaderValue(value)) {
                throw new IllegalArgumentException("Header [" + name.replaceAll("\\p{Cntrl}", "?")
                        + "] cannot be sent: a name is a token, and neither may hold control characters");
            }
        });
    }

    public FollowOptions withLastEventId(String id) {
        return new FollowOptions(id, retry, maxBackoff, idleTimeout, headers);
    }

    /** Also raises the maximum backoff to the delay, if it was shorter. */
    public FollowOptions withRetry(Duration delay) {
        Objects.requireNonNull(delay, "retry");
        return new FollowOptions(lastEventId, delay, maxBackoff.compareTo(delay) < 0 ? delay : maxBackoff, idleTimeout,
                headers);
    }

    public FollowOptions withMaxBackoff(Duration max) {
        return new FollowOptions(lastEventId, retry, max, idleTimeout, headers);
    }

    public FollowOptions withIdleTimeout(Duration timeout) {
        return new FollowOptions(lastEventId, retry, maxBackoff, timeout, headers);
    }

    public FollowOptions withHeaders(Map<String, String> extra) {
        return new FollowOptions(lastEventId, retry, maxBackoff, idleTimeout, extra);
    }

    /** @return whether HTTP can carry the text as a header value: no control character but tab */
    static boolean isHeaderValue(String text) {
        return text.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F);
    }
}
