package io.quarkiverse.ssechannels.runtime;

/**
 * One connection in one channel. It starts catching up from its position, reading the channel's history on the
 * connection's event loop, and turns live when it reached the end with the channel's lock held: from then on the
 * channel queues every new event on the connection.
 */
final class Subscription {

    final ConnectionImpl connection;
    final ChannelImpl channel;
    /**
     * The channel's epoch when the connection joined: a channel that starts over in another epoch lets go of its
     * subscriptions, so positions are only ever written with the epoch they belong to.
     */
    final String epoch;
    /**
     * Offset of the last event of this channel handed to the client. Set by the join, then written only by the
     * connection's event loop; volatile so that a later join of the same channel can continue from it.
     */
    volatile long position;
    /** The join could not find the client's position: the client is told of a gap, so catching up may skip. */
    boolean gap;
    /** Not to be caught up on yet: the joining thread queues its first message before. */
    volatile boolean held;
    /** Set under the channel's lock. */
    volatile boolean live;
    /** Set under the channel's lock when the channel let it go; the connection forgets it. */
    volatile boolean removed;
    /** Its slot among the channel's live subscriptions while live; read and written under the channel's lock. */
    int liveSlot;

    Subscription(ConnectionImpl connection, ChannelImpl channel) {
        this.connection = connection;
        this.channel = channel;
        this.epoch = channel.epoch;
    }

    /** @return a copy of the array without the subscription; the array itself when it does not hold it */
    static Subscription[] without(Subscription[] all, Subscription subscription) {
        for (int i = 0; i < all.length; i++) {
            if (all[i] == subscription) {
                Subscription[] less = new Subscription[all.length - 1];
                System.arraycopy(all, 0, less, 0, i);
                System.arraycopy(all, i + 1, less, i, all.length - i - 1);
                return less;
            }
        }
        return all;
    }
}
