package io.quarkiverse.ssechannels.runtime;

import java.util.function.Predicate;

import io.quarkiverse.ssechannels.Connection;
import io.vertx.core.buffer.Buffer;

/**
 * An event as a channel published it. Immutable; shared by the channel's history and every connection it reaches.
 *
 * @param channel the channel that published it
 * @param offset its place in the channel's log, from 1
 * @param stamp its place among the events of every channel of this instance, for merging replays in publish order
 * @param id its id as sent: the caller's, or the channel's epoch and offset
 * @param callerId whether the id is the caller's
 * @param frame the whole frame, id included, written to connections in this channel only
 * @param body the frame without its id line and closing blank line, for connections that write their own cursor
 * @param filter the connections it is for, asked by each connection when it would write the event; {@code null} for
 *        all
 */
record Event(ChannelImpl channel, long offset, long stamp, String id, boolean callerId, Buffer frame, Buffer body,
        Predicate<Connection> filter) {
}
