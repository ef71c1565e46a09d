package io.quarkiverse.ssechannels.benchmark.baseline;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Baseline (c), the practical limit: a raw Vert.x route that encodes each event once and writes the same buffer to
 * every response. No history, no limits, nothing else.
 */
@Singleton
public class VertxRoute {

    private final Set<HttpServerResponse> responses = ConcurrentHashMap.newKeySet();

    void routes(@Observes Router router) {
        router.get("/vertx/sse").handler(ctx -> {
            HttpServerResponse response = startStream(ctx);
            responses.add(response);
            response.closeHandler(v -> responses.remove(response));
        });
        router.post("/vertx/publish").handler(BodyHandler.create()).handler(ctx -> {
            Buffer buffer = frame(ctx);
            for (HttpServerResponse response : responses) {
                response.write(buffer);
            }
            ctx.response().setStatusCode(204).end();
        });
    }

    /** Writes the head of an SSE response: the raw routes' stream endpoint. */
    static HttpServerResponse startStream(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        response.write(Buffer.buffer());
        return response;
    }

    /** @return the published body as one event, encoded once for every response */
    static Buffer frame(RoutingContext ctx) {
        String frame = "event: weather-event\ndata: " + ctx.body().asString() + "\n\n";
        return Buffer.buffer(Unpooled.wrappedBuffer(frame.getBytes(StandardCharsets.UTF_8)));
    }
}
