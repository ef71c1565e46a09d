package io.quarkiverse.ssechannels.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link ResumingSseClient#follow} connects and reconnects. Immutable: each {@code with} method returns a copy.
 *
 * @param lastEventId the last event id to resume from on the first connection, {@code null} to start from what the
 *        server sends a new client
 * @param retry the delay before reconnecting until the server sets its own with a {@code retry:} field
 * @param maxBackoff the longest delay between attempts while they keep failing
 * @param headers sent with every request, besides {@code Accept}, {@code Cache-Control} and {@code Last-Event-ID}
 */
public record FollowOptions(String lastEventId, Duration retry, Duration maxBackoff, Map<String, String> headers) {

    /** The defaults: no last event id, 3 s before reconnecting (as browsers wait), at most 30 s between attempts. */
    public static FollowOptions defaults() {
        return new FollowOptions(null, Duration.ofSeconds(3), Duration.ofSeconds(30), Map.of());
    }

    /**
     * @throws IllegalArgumentException for a negative delay, or a maximum shorter than the retry delay
     */
    public FollowOptions {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        if (retry.isNegative() || maxBackoff.compareTo(retry) < 0) {
            throw new IllegalArgumentException("FollowOptions needs 0 <= retry <= maxBackoff, got retry " + retry
                    + " and maxBackoff " + maxBackoff);
        }
    }

    public FollowOptions withLastEventId(String id) {
        return new FollowOptions(id, retry, maxBackoff, headers);
    }

    public FollowOptions withRetry(Duration delay) {
        return new FollowOptions(lastEventId, delay, maxBackoff.compareTo(delay) < 0 ? delay : maxBackoff, headers);
    }

    public FollowOptions withMaxBackoff(Duration max) {
        return new FollowOptions(lastEventId, retry, max, headers);
    }

    public FollowOptions withHeaders(Map<String, String> extra) {
        return new FollowOptions(lastEventId, retry, maxBackoff, extra);
    }
}
