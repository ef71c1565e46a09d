package io.quarkiverse.ssechannels;

/**
 * Thrown when a connection is added or a message is sent to a {@link Channel} that is already closed.
 */
public class ChannelClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * @param channelName the name of the closed channel
     */
    public ChannelClosedException(String channelName) {
        super("SSE channel [" + channelName + "] is closed; get a new one (temporary channels: getOrCreate or join)");
    }
}
