package io.quarkiverse.ssechannels.runtime;

/** Why a stream ended, as the {@code reason} tag of {@code sse.channels.connections.closed} names it. */
enum CloseReason {

    /** The client left, or its connection broke. */
    CLIENT("client"),
    /** The connection's maximum lifetime ({@code quarkus.sse-channels.timeout}) was over. */
    TIMEOUT("timeout"),
    /** The application closed it, ended its response, or the stream had to start over. */
    SERVER("server"),
    /** The client stopped reading: cut with {@code max-queued-bytes} waiting, or after {@code close-timeout}. */
    SLOW_CONSUMER("slow-consumer"),
    /** The application stops. */
    SHUTDOWN("shutdown"),
    /** A channel it joined was full: the client was told when to come back. */
    LIMIT("limit");

    final String tag;

    CloseReason(String tag) {
        this.tag = tag;
    }
}
