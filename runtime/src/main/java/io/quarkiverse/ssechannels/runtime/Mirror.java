package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.quarkiverse.ssechannels.BackendUnavailableException;
import io.quarkiverse.ssechannels.ChannelClosedException;
import io.quarkiverse.ssechannels.SseMessage;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

/**
 * A channel's side of a shared log (backend {@code redis}): the channel's own history is then a copy of the
 * shared log's latest events, fed in offset order from the channel's subject, so that the channel's data path
 * (fan-out under its lock, catch-up from the history, turning live with the lock held) is the one of a single
 * instance.
 * <p>
 * The copy is kept only while this instance has connections for the channel: the first join subscribes to the
 * subject and then reads the shared log ({@link #attach}), the channel detaches when it has no connection left.
 * Messages are applied on a worker, one at a time per channel, with the channel's lock held; a message whose
 * offset is not the next one means some were missed (the subscription was lost meanwhile), and the missing range
 * is read from the log before anything newer is applied. A log of another epoch (Redis lost its data) or one that no
 * longer reaches back to the copy's end cuts the channel's connections, which resume and are told of the gap.
 */
final class Mirror implements Broker.Listener {

    private static final Logger LOG = Logger.getLogger(Mirror.class);
    /** How long a failed read waits before it is tried again. */
    private static final long RETRY_MILLIS = 500;

    private final ChannelImpl channel;
    private final Broker broker;
    private final SseChannelsImpl owner;
    /** The channel's name in the broker. */
    final String key;
    /** How long the channel's keys outlive its last publish, {@code null} for ever. */
    private final Duration keep;
    /** The temporary channel's place in its store, {@code null} for a named channel. */
    private final Place place;

    // guarded by the channel's lock
    private boolean attached;
    private CompletableFuture<Void> attaching;
    private int pins;

    private final ConcurrentLinkedQueue<Buffer> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Whether attached, readable without the lock. */
    private volatile boolean open;
    private volatile boolean resync;
    private final Refreshes refreshes = new Refreshes();
    /** The last presence update, which the next one follows. */
    private CompletableFuture<Void> presenceUpdates = CompletableFuture.completedFuture(null);

    /**
     * Where a temporary channel is in its store, and how long its presence lasts.
     *
     * @param alive how long the presence of a channel with connections lasts without being refreshed
     * @param empty how long it lasts after this instance's last connection left: the empty timeout
     */
    record Place(String store, String key, Duration alive, Duration empty) {
    }

    Mirror(ChannelImpl channel, Broker broker, SseChannelsImpl owner, String key, Duration keep, Place place) {
        this.channel = channel;
        this.broker = broker;
        this.owner = owner;
        this.key = key;
        this.keep = keep;
        this.place = place;
    }

    /**
     * Called with the channel's lock held when this instance's first connection joins (or is opened through) a
     * temporary channel, and when its last one leaves: marks it present everywhere, while it has connections or
     * for its empty timeout after. A failure only delays it until the next refresh.
     */
    void occupied(boolean occupied) {
        if (place != null) {
            Broker.Presence presence = presence(occupied);
            updatePresence(() -> {
                try {
                    broker.present(place.store(), List.of(presence));
                } catch (BackendUnavailableException e) {
                    LOG.debugf("The presence of %s was not updated: %s", channel, e.getMessage());
                }
            });
        }
    }

    /**
     * Sends presence updates one after the other, in the order they were made: an update that marks the channel
     * present must not overtake the one that closes it.
     */
    private synchronized void updatePresence(Runnable update) {
        presenceUpdates = presenceUpdates.thenRunAsync(update, owner::offloadToBroker);
    }

    /** @return the presence of this channel, as one with connections or as one just left */
    Broker.Presence presence(boolean occupied) {
        return new Broker.Presence(place.key(), key, occupied ? place.alive() : place.empty(), keep);
    }

    /** @return whether an instance marks this temporary channel present; also when the broker does not answer */
    boolean presentAnywhere() {
        try {
            return broker.isPresent(place.store(), place.key());
        } catch (BackendUnavailableException e) {
            LOG.debugf("%s stays open: the presence of temporary channels cannot be read: %s", channel,
                    e.getMessage());
            return true;
        }
    }

    /** The application closed the temporary channel: no instance lists it any more. */
    void absent() {
        if (place != null) {
            updatePresence(() -> {
                try {
                    broker.absent(place.store(), place.key());
                } catch (BackendUnavailableException e) {
                    LOG.debugf("%s stays listed until its presence expires: %s", channel, e.getMessage());
                }
            });
        }
    }

    /**
     * Publishes through the shared log; the event reaches this instance's connections like every other instance's,
     * from the channel's subject.
     */
    String publish(SseMessage message, SseEncoder.Prepared prepared) {
        requireWorker("sending to " + channel);
        if (!message.isEvent()) {
            broker.publishTransient(key, prepared.frame(null));
            return null;
        }
        boolean callerId = message.id() != null;
        Metrics metrics = owner.metrics();
        long start = System.nanoTime();
        Broker.Published published = null;
        try {
            published = broker.publish(key, Cursor.newEpoch(), channel.log.capacity(), keep,
                    callerId ? "=" + message.id() : "", prepared.body());
        } catch (BackendUnavailableException e) {
            backendError("publish");
            throw e;
        } finally {
            if (metrics != null) {
                metrics.sharedPublish(System.nanoTime() - start, published != null);
            }
        }
        return callerId ? message.id() : Cursor.position(published.epoch(), published.offset());
    }

    /** Counts a failure of the broker that the application saw, as an exception, if there are metrics. */
    private void backendError(String operation) {
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.backendError(operation);
        }
    }

    /**
     * Refuses, with a message that says what to do, work that would wait for Redis on an event loop, which must
     * never wait.
     *
     * @param what what the application asked for, as the message says it
     */
    static void requireWorker(String what) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("With quarkus.sse-channels.backend=redis, " + what
                    + " waits for Redis, which an event loop must not do: call it from a worker thread (a blocking "
                    + "resource method, one annotated @Blocking, or a route's blocking handler)");
        }
    }

    /**
     * Makes sure the copy is current and stays so until {@link #unpin}: subscribes and reads the log if this is the
     * first connection of this instance to the channel, or waits for the thread that does.
     *
     * @return whether this thread read the log, after it was asked (otherwise the copy was followed already, or
     *         another thread's read, which may have started before an event this caller saw, made it current)
     * @throws BackendUnavailableException if the broker does not answer in time
     */
    boolean attach() {
        CompletableFuture<Void> pending;
        boolean mine = false;
        channel.lock.lock();
        try {
            channel.ensureOpen();
            pins++;
            if (attached) {
                return false;
            }
            if (attaching == null) {
                attaching = new CompletableFuture<>();
                mine = true;
            }
            pending = attaching;
        } finally {
            channel.lock.unlock();
        }
        if (mine) {
            attachNow(pending);
        }
        try {
            pending.join();
        } catch (CompletionException e) {
            channel.releaseAttach();
            backendError("attach");
            throw e.getCause() instanceof RuntimeException r ? r
                    : new BackendUnavailableException("attaching " + channel + " failed", e.getCause());
        }
        return mine;
    }

    /**
     * Brings the copy up to what the log holds now, for a client that resumes: it may come from an instance that
     * received events this one has not yet (its subscription was being restored, or its messages wait to be
     * applied).
     */
    void refresh() {
        long ticket;
        synchronized (refreshes) {
            ticket = ++refreshes.asked;
        }
        for (;;) {
            CompletableFuture<Void> running;
            long covers = 0;
            synchronized (refreshes) {
                if (refreshes.done >= ticket) {
                    return;
                }
                running = refreshes.running;
                if (running == null) {
                    running = refreshes.running = new CompletableFuture<>();
                    covers = refreshes.asked;
                }
            }
            if (covers > 0) {
                try {
                    runRefresh(running, covers);
                } catch (BackendUnavailableException e) {
                    backendError("refresh");
                    throw e;
                }
                return;
            }
            try {
                running.join();
            } catch (CompletionException e) {
                // it failed: it read for this refresh too if it started after it was asked, else the next round tries
                synchronized (refreshes) {
                    // unless a later read made it current after all
                    if (refreshes.done < ticket && refreshes.failed >= ticket) {
                        backendError("refresh");
                        throw e.getCause() instanceof RuntimeException r ? r
                                : new BackendUnavailableException("refreshing " + channel + " failed", e.getCause());
                    }
                }
            }
        }
    }

    /** Reads the log once for every refresh asked up to {@code covers}, and tells those that waited for it. */
    private void runRefresh(CompletableFuture<Void> running, long covers) {
        Throwable failure = null;
        try {
            sync(true);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            // whatever happened, the next refresh can run
            synchronized (refreshes) {
                if (failure == null) {
                    refreshes.done = Math.max(refreshes.done, covers);
                } else {
                    refreshes.failed = Math.max(refreshes.failed, covers);
                }
                refreshes.running = null;
            }
            if (failure == null) {
                running.complete(null);
            } else {
                running.completeExceptionally(failure);
            }
        }
    }

    /**
     * The refreshes of a storm of resumes share reads: one read at a time, and each covers every refresh asked
     * before it started. Without that, a thousand clients resuming at once are a thousand reads, more than the
     * Redis client's pool lets wait.
     */
    private static final class Refreshes {
        /** Refreshes asked so far: each gets the next number. */
        long asked;
        /** Every refresh up to this number was read for. */
        long done;
        /** Every refresh up to this number was tried for, and failed. */
        long failed;
        /** The read running now, or {@code null}. */
        CompletableFuture<Void> running;
    }

    private void attachNow(CompletableFuture<Void> pending) {
        try {
            broker.subscribe(key, this);
            sync(false);
        } catch (RuntimeException e) {
            channel.lock.lock();
            try {
                broker.unsubscribe(key, this);
                attaching = null;
            } finally {
                channel.lock.unlock();
            }
            LOG.debugf("%s could not attach to its shared log: %s", channel, e.getMessage());
            pending.completeExceptionally(e);
            return;
        }
        channel.lock.lock();
        try {
            attaching = null;
            if (channel.isClosed()) {
                // closed while attaching: nothing follows the log for it
                broker.unsubscribe(key, this);
                pending.completeExceptionally(new ChannelClosedException(channel.name()));
                return;
            }
            attached = true;
            open = true;
        } finally {
            channel.lock.unlock();
        }
        pending.complete(null);
        scheduleDrain();
    }

    /** Called with the channel's lock held by a join that {@link #attach}ed. */
    void unpin() {
        pins--;
    }

    /** Called with the channel's lock held: whether a join is attaching or holds the copy current. */
    boolean pinned() {
        return pins > 0 || attaching != null;
    }

    /**
     * Called with the channel's lock held when the channel has no connection left: stops receiving its messages.
     * Unsubscribing under the lock keeps it before the subscription of the next attach.
     */
    void detach() {
        if (attached && (pins == 0 || channel.isClosed())) {
            attached = false;
            open = false;
            inbound.clear();
            broker.unsubscribe(key, this);
            LOG.debugf("%s has no connection in this instance: it stops following its shared log", channel);
        }
    }

    @Override
    public void message(Buffer payload) {
        inbound.add(payload);
        scheduleDrain();
    }

    @Override
    public void resubscribed() {
        resync = true;
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (open && draining.compareAndSet(false, true)) {
            owner.offloadToBroker(this::drain);
        }
    }

    /** Applies the messages received, in order, reading the log first where some are missing. */
    private void drain() {
        try {
            drainAll();
        } catch (RuntimeException e) {
            LOG.debugf("%s could not read its shared log, trying again: %s", channel, e.getMessage());
            resync = true;
            draining.set(false);
            owner.anyEventLoop().schedule(this::scheduleDrain, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        draining.set(false);
        if (!inbound.isEmpty() || resync) {
            scheduleDrain();
        }
    }

    private void drainAll() {
        boolean synced = false;
        for (;;) {
            if (resync) {
                resync = false;
                sync(false);
                synced = true;
            }
            Buffer head = inbound.peek();
            if (head == null || !open) {
                return;
            }
            ChannelImpl.Applied applied;
            String epoch;
            long held;
            channel.lock.lock();
            try {
                if (!attached) {
                    return;
                }
                epoch = channel.epoch;
                held = channel.log.last();
                applied = channel.applyShared(head);
            } catch (IllegalArgumentException e) {
                // published on its subject by something else than this extension: skipped, or the channel stalls
                LOG.warnf("%s skips a message on its Redis subject that it did not publish: %s", channel,
                        e.getMessage());
                applied = ChannelImpl.Applied.DONE;
                epoch = null;
                held = -1;
            } finally {
                channel.lock.unlock();
            }
            if (applied == ChannelImpl.Applied.ROLLED_BACK) {
                rollBack(epoch, held);
                resync = true;
                inbound.poll();
                continue;
            }
            if (applied == ChannelImpl.Applied.MISSING && !synced) {
                // read the log, then look at this message again: the log has it by now, or it is lost for good
                resync = true;
                continue;
            }
            inbound.poll();
            synced = false;
        }
    }

    /**
     * Reads what the log holds after the copy's end and applies it.
     *
     * @param forResume whether a client's resume asked for it (otherwise: attaching, a resubscription, a message
     *        beyond the next one); without history, such a read cannot tell a lost event from one still on its way,
     *        so it does not start the copy over for a gap
     */
    private void sync(boolean forResume) {
        // a few rounds at most: after a read that another one overtook, or a roll-back, the log is read again
        for (int round = 0; round < 3; round++) {
            long after;
            String epoch;
            channel.lock.lock();
            try {
                after = channel.log.last();
                epoch = channel.epoch;
            } finally {
                channel.lock.unlock();
            }
            Broker.History history = broker.read(key, epoch, after, channel.log.capacity(), keep);
            ChannelImpl.Applied applied;
            channel.lock.lock();
            try {
                // another read (a drain, a resume) moved the copy to another epoch meanwhile: this one is stale
                applied = Objects.equals(epoch, channel.epoch) ? channel.applyShared(history, after, forResume)
                        : null;
            } finally {
                channel.lock.unlock();
            }
            if (applied == ChannelImpl.Applied.DONE) {
                return;
            }
            if (applied == ChannelImpl.Applied.ROLLED_BACK) {
                rollBack(epoch, after);
            }
        }
    }

    /**
     * Redis lost writes this copy had: ids it gave out before would be given out again, for other events. The log
     * moves to a new epoch (once, whichever instance notices first), so that every instance starts over and
     * clients resuming with an id from before are told of the gap.
     *
     * @param epoch the epoch in which the loss was seen: only that one is left, never one another read moved to
     * @param held how far this copy had received
     */
    private void rollBack(String epoch, long held) {
        LOG.warnf("%s: Redis lost writes of its log (it holds less than this instance received up to offset %d, "
                + "epoch %s); the channel starts a new epoch and its clients are told of the gap", channel, held,
                epoch);
        broker.rotate(key, epoch, Cursor.newEpoch());
    }
}
