package io.quarkiverse.ssechannels;

/**
 * The shared backend (Redis, with {@code quarkus.sse-channels.backend=redis}) did not answer in time or refused an
 * operation. Thrown by {@link Channel#send} within {@code quarkus.sse-channels.redis.timeout}: the event may or may
 * not have been published, so a caller that retries should send it with its own id if the client must not see it
 * twice. Connections that are open stay open meanwhile.
 */
public class BackendUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
