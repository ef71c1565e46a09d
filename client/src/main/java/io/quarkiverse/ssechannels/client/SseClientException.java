package io.quarkiverse.ssechannels.client;

/**
 * The server answered in a way that reconnecting cannot mend: a client error status (other than {@code 429}), or a
 * response that is not an event stream. A {@link ResumingSseClient#follow} stream fails with it.
 */
public class SseClientException extends RuntimeException {

    private final int status;

    public SseClientException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** @return the HTTP status the server answered */
    public int status() {
        return status;
    }
}
