package io.quarkiverse.ssechannels.benchmark.baseline;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Baseline (d), the practical limit of a raw route done with care: each event encoded once; every response gets a
 * lock-free queue that its event loop drains into one write of everything queued (coalesced flushes), stops writing
 * while the socket is full and resumes on drain (backpressure), and cuts a client with more than 1 MiB waiting, as
 * the extension does by default. No history, no replay, no ordering across publishers.
 */
@Singleton
public class CoalescingVertxRoute {

    private static final long MAX_QUEUED_BYTES = 1024 * 1024;

    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

    void routes(@Observes Router router) {
        router.get("/vertx-coalesced/sse").handler(ctx -> {
            HttpServerResponse response = VertxRoute.startStream(ctx);
            Stream stream = new Stream(response, Vertx.currentContext());
            streams.add(stream);
            response.closeHandler(v -> streams.remove(stream));
        });
        router.post("/vertx-coalesced/publish").handler(BodyHandler.create()).handler(ctx -> {
            Buffer buffer = VertxRoute.frame(ctx);
            for (Stream stream : streams) {
                stream.offer(buffer);
            }
            ctx.response().setStatusCode(204).end();
        });
    }

    private final class Stream {

        private final HttpServerResponse response;
        private final Context context;
        private final Queue<Buffer> queue = new ConcurrentLinkedQueue<>();
        /** Frames offered and not written yet: the offer that makes it 1 schedules the drain. */
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicLong queuedBytes = new AtomicLong();

        Stream(HttpServerResponse response, Context context) {
            this.response = response;
            this.context = context;
        }

        void offer(Buffer frame) {
            if (queuedBytes.addAndGet(frame.length()) > MAX_QUEUED_BYTES) {
                if (streams.remove(this)) {
                    context.runOnContext(v -> response.reset());
                }
                return;
            }
            queue.offer(frame);
            if (pending.getAndIncrement() == 0) {
                context.runOnContext(v -> drain());
            }
        }

        /** On the event loop: while the socket takes data, writes everything queued at once. */
        private void drain() {
            for (;;) {
                if (response.closed()) {
                    return;
                }
                if (response.writeQueueFull()) {
                    // pending stays above 0, so offers do not schedule a drain: the drain handler does
                    response.drainHandler(v -> drain());
                    return;
                }
                int n = pending.get();
                CompositeByteBuf batch = Unpooled.compositeBuffer(n);
                for (int i = 0; i < n; i++) {
                    Buffer frame = queue.poll();
                    queuedBytes.addAndGet(-frame.length());
                    batch.addComponent(true, frame.getByteBuf());
                }
                response.write(Buffer.buffer(batch));
                if (pending.addAndGet(-n) == 0) {
                    return;
                }
            }
        }
    }
}
