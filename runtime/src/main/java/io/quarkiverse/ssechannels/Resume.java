package io.quarkiverse.ssechannels;

/**
 * How exactly a connection resumed in the channels it joined, as told by {@link Connection#resume()}.
 * <p>
 * A client that reconnects sends the id of the last event it received ({@code Last-Event-ID}). Each channel resolves
 * it in its own history and replays what came after. When the history no longer reaches back that far (events were
 * evicted, the application restarted, or the id is unknown), the channel replays everything it still holds, which
 * loses the least, and the connection reports {@link #GAP}: the application can then send the client a snapshot,
 * before anything replayed with {@link Connection#join(java.util.function.Function, Channel...)}.
 */
public enum Resume {

    /**
     * The client sent no last event id: it gets every event published from the moment its stream opened.
     */
    NONE,

    /**
     * Every channel found the client's position in its history: the client gets exactly what it missed.
     */
    EXACT,

    /**
     * At least one channel could not reach back to the client's position (or, for a client without a last event
     * id, to the moment its stream opened): some events may be missing, and some replayed events may have been seen
     * before. The client gets everything the channel still holds.
     */
    GAP
}
