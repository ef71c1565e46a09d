package io.quarkiverse.ssechannels.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseMessage;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One stream. Producers on any thread append frames to a lock-free queue; the connection's event loop writes them
 * (several at once when they pile up) and is the only thread that touches the response after it is opened.
 */
final class ConnectionImpl implements Connection {

    private static final Logger LOG = Logger.getLogger(ConnectionImpl.class);

    /** How many 1 ms rounds a connection waits for its request's set-up before giving up. */
    private static final int MAX_ATTACH_ROUNDS = 5_000;

    /** Frames are gathered into writes of about this size: few system calls, yet room to notice backpressure. */
    private static final int MAX_BATCH_BYTES = 16 * 1024;

    /** Queued after the last frame of a server-side close. */
    private static final Object END = new Object();

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final String id;
    private final SseChannelsImpl owner;
    private final StreamBinding stream;
    private final Outbox outbox;
    private final String lastEventId;
    private final long maxQueuedBytes;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final AtomicBoolean aborting = new AtomicBoolean();
    private final Handler<AsyncResult<Void>> onWritten = this::written;
    private final Handler<Void> onDrained = v -> {
        stalled = false;
        flush();
    };

    // guarded by this
    private final List<Consumer<Connection>> listeners = new ArrayList<>(2);
    private boolean listenersRan;

    /** The socket refused data and the drain handler has not fired since. */
    private volatile boolean stalled;
    private volatile Timers.Timer ping;
    private volatile Timers.Timer timeout;

    // event loop only
    private boolean attached;
    private int attachRounds;
    private boolean released;

    ConnectionImpl(String id, SseChannelsImpl owner, StreamBinding stream, Outbox outbox, String lastEventId,
            long maxQueuedBytes) {
        this.id = id;
        this.owner = owner;
        this.stream = stream;
        this.outbox = outbox;
        this.lastEventId = lastEventId;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Starts the timers and hands the stream over to the event loop. Called once, right after the response head was
     * written.
     */
    void start(Timers timers, Duration pingInterval, Duration maxLifetime) {
        if (!pingInterval.isZero()) {
            ping = timers.periodic(outbox.loop(), pingInterval, () -> enqueue(SseEncoder.ping()));
        }
        if (!maxLifetime.isZero()) {
            timeout = timers.once(outbox.loop(), maxLifetime, this::close);
        }
        outbox.loop().execute(this::attach);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void send(SseMessage message) {
        if (state.get() == OPEN) {
            enqueue(owner.encoder().encode(message, null));
        }
    }

    @Override
    public void close() {
        if (state.compareAndSet(OPEN, CLOSING)) {
            enqueueAny(END);
        }
    }

    @Override
    public boolean isOpen() {
        return state.get() == OPEN;
    }

    @Override
    public Registration onClose(Consumer<Connection> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (!listenersRan) {
                listeners.add(listener);
                return () -> {
                    synchronized (ConnectionImpl.this) {
                        listeners.remove(listener);
                    }
                };
            }
        }
        runListener(listener);
        return () -> {
        };
    }

    @Override
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public HttpServerRequest request() {
        return stream.request();
    }

    /**
     * Queues an encoded frame. Frames queued by one thread are written in that order; callers that need an order
     * across threads (channels) queue under their own lock.
     */
    void enqueue(Buffer frame) {
        if (state.get() == OPEN) {
            if (queuedBytes.addAndGet(frame.length()) > maxQueuedBytes && stalled) {
                abortStalled();
            } else {
                enqueueAny(frame);
            }
        }
    }

    /**
     * Only a connection whose socket refuses data is judged by its queue: a burst of sends can queue more than the
     * limit for a client that reads well, and the event loop catches up with it.
     */
    private void abortStalled() {
        abort("stopped reading, with more than " + maxQueuedBytes + " bytes (max-queued-bytes) waiting");
    }

    /**
     * Ends the stream at once, dropping what is queued: for a client that does not read, and at shutdown for one
     * whose last frames cannot be written.
     */
    void abort(String why) {
        if (aborting.compareAndSet(false, true)) {
            outbox.loop().execute(() -> {
                if (state.get() != CLOSED) {
                    LOG.debugf("SSE connection [%s] aborted: %s", id, why);
                    stream.response().reset();
                    closed("aborted");
                }
            });
        }
    }

    /**
     * Tells the client when to come back, then ends the stream; used when the application stops.
     */
    void shutdown(Buffer retryHint) {
        if (retryHint != null) {
            enqueue(retryHint);
        }
        close();
    }

    private void enqueueAny(Object item) {
        queue.offer(item);
        if (pending.getAndIncrement() == 0) {
            outbox.schedule(this);
        }
    }

    /**
     * Writes what is queued, several frames per write; runs on the event loop, called by the outbox. While the socket
     * takes no more (the client reads slowly), it stops with frames still counted as pending, so producers do not
     * schedule it again: the drain handler resumes it, and meanwhile frames pile up against max-queued-bytes.
     */
    void flush() {
        HttpServerResponse response = stream.response();
        for (;;) {
            int missed = pending.get();
            int consumed = 0;
            ByteBuf batch = null;
            int batchBytes = 0;
            while (consumed < missed) {
                if (batch == null && state.get() != CLOSED && response.writeQueueFull()) {
                    break;
                }
                Object item = queue.poll();
                consumed++;
                if (item == END) {
                    write(response, batch);
                    batch = null;
                    closed("closed by the server");
                } else if (item != null) {
                    Buffer frame = (Buffer) item;
                    queuedBytes.addAndGet(-frame.length());
                    if (state.get() != CLOSED) {
                        batch = append(batch, frame.getByteBuf());
                        batchBytes += frame.length();
                        if (batchBytes >= MAX_BATCH_BYTES) {
                            write(response, batch);
                            batch = null;
                            batchBytes = 0;
                        }
                    }
                }
            }
            write(response, batch);
            if (pending.addAndGet(-consumed) == 0) {
                return;
            }
            if (consumed < missed) {
                stalled = true;
                response.drainHandler(onDrained);
                if (queuedBytes.get() > maxQueuedBytes) {
                    abortStalled();
                }
                return;
            }
        }
    }

    private void write(HttpServerResponse response, ByteBuf batch) {
        if (batch != null && state.get() != CLOSED) {
            response.write(Buffer.buffer(batch), onWritten);
        }
    }

    private static ByteBuf append(ByteBuf batch, ByteBuf frame) {
        if (batch == null) {
            return frame;
        }
        CompositeByteBuf composite;
        if (batch instanceof CompositeByteBuf c) {
            composite = c;
        } else {
            composite = Unpooled.compositeBuffer();
            composite.addComponent(true, batch);
        }
        composite.addComponent(true, frame);
        return composite;
    }

    private void written(AsyncResult<Void> result) {
        if (result.failed()) {
            LOG.debugf("SSE connection [%s] write failed: %s", id, result.cause());
            closed("write failed");
        }
    }

    /**
     * Waits (without blocking the loop) until RESTEasy Reactive has finished the resource method's request set-up:
     * it installs its own close handler on the response afterwards, which fails once the response has ended. A
     * request that ends during set-up (the client went away, or the resource method failed after opening the
     * stream) never completes it, so that is checked on every round, and the wait is bounded.
     */
    private void attach() {
        HttpServerResponse response = stream.response();
        if (response.closed() || response.ended()) {
            // nothing to release: the response is gone, and RESTEasy Reactive finishes the request itself
            closed("closed during set-up");
            return;
        }
        if (!stream.setUpComplete()) {
            if (++attachRounds > MAX_ATTACH_ROUNDS) {
                LOG.warnf("The request of SSE connection [%s] did not complete its set-up in %d ms; closing it", id,
                        MAX_ATTACH_ROUNDS);
                response.reset();
                closed("set-up did not complete");
            } else {
                outbox.loop().schedule(this::attach, 1, TimeUnit.MILLISECONDS);
            }
            return;
        }
        attached = true;
        response.closeHandler(v -> closed("closed by the client"));
        if (state.get() == CLOSED) {
            release();
        }
    }

    /** The stream is over, from either side; runs once on the event loop whatever the cause. */
    private void closed(String why) {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        LOG.debugf("SSE connection [%s] %s", id, why);
        cancel(ping);
        cancel(timeout);
        queue.clear();
        owner.closed(this);
        if (attached) {
            release();
        }
        List<Consumer<Connection>> toRun;
        synchronized (this) {
            listenersRan = true;
            toRun = new ArrayList<>(listeners);
            listeners.clear();
        }
        for (Consumer<Connection> listener : toRun) {
            runListener(listener);
        }
    }

    private void release() {
        if (!released) {
            released = true;
            stream.end();
        }
    }

    private void runListener(Consumer<Connection> listener) {
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            LOG.warnf(e, "A close listener of SSE connection [%s] failed", id);
        }
    }

    private static void cancel(Timers.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    @Override
    public String toString() {
        return "SSE connection [" + id + "]";
    }
}
