package io.quarkiverse.ssechannels.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * What is counted of a channel for metrics, or of all temporary channels together (a tag value per temporary
 * channel would grow without bound). Written by any thread: adders, so that event loops do not contend for them.
 */
final class ChannelCounters {

    /** Events published to the channel from this instance. */
    final LongAdder published = new LongAdder();
    /** Events written to a connection of the channel, live or replayed. */
    final LongAdder delivered = new LongAdder();
    /** Of those, the ones replayed from the history to a connection catching up. */
    final LongAdder replayed = new LongAdder();
    /** Connections in the channel now. */
    final LongAdder connections = new LongAdder();
}
