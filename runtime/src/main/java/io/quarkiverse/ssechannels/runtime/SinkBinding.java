package io.quarkiverse.ssechannels.runtime;

import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.jaxrs.SseEventSinkImpl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.quarkus.arc.Arc;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

/**
 * What a connection needs of the RESTEasy Reactive request behind an {@link SseEventSink}: the Vert.x request and
 * response, the event loop, and a clean end. All use of RESTEasy Reactive internals is kept here.
 */
final class StreamBinding {

    private static final Logger LOG = Logger.getLogger(StreamBinding.class);
    private static final CharSequence TEXT_EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");
    private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
    private static final CharSequence X_ACCEL_BUFFERING = HttpHeaders.createOptimized("X-Accel-Buffering");
    private static final CharSequence NO = HttpHeaders.createOptimized("no");

    private final ResteasyReactiveRequestContext context;
    private final SseEventSinkImpl sink;
    private final boolean chainKept;
    private final HttpServerRequest request;
    private final HttpServerResponse response;

    private StreamBinding(ResteasyReactiveRequestContext context, SseEventSinkImpl sink) {
        this.context = context;
        this.sink = sink;
        RoutingContext routing = context.serverRequest().unwrap(RoutingContext.class);
        this.chainKept = SseRequestChain.kept(context);
        this.request = routing.request();
        this.response = routing.response();
    }

    /**
     * @throws IllegalStateException if the sink is not the one of the RESTEasy Reactive request being handled
     */
    static StreamBinding of(SseEventSink sink) {
        ResteasyReactiveRequestContext context = CurrentRequestManager.get();
        if (context == null || sink == null || context.getSseEventSink() != sink) {
            throw new IllegalStateException("SseChannels.open(sink) must be called from the RESTEasy Reactive resource "
                    + "method that received the sink with @Context SseEventSink, got sink [" + sink + "]");
        }
        return new StreamBinding(context, (SseEventSinkImpl) sink);
    }

    /** Sends the response head now, so the client knows the stream is open before the first event. */
    void writeHead() {
        response.setStatusCode(200);
        response.headers()
                .set(HttpHeaders.CONTENT_TYPE, TEXT_EVENT_STREAM)
                .set(HttpHeaders.CACHE_CONTROL, NO_CACHE)
                .set(X_ACCEL_BUFFERING, NO);
        response.setChunked(true);
        response.write(Buffer.buffer());
        // from here on the connection ends the request, whenever its client leaves
        SseRequestChain.markOpened(context);
    }

    HttpServerRequest request() {
        return request;
    }

    HttpServerResponse response() {
        return response;
    }

    EventLoop eventLoop() {
        return ((ContextInternal) ((HttpServerRequestInternal) request).context()).nettyEventLoop();
    }

    /**
     * @return whether the calling thread is handling this stream's request: the resource method that opened the
     *         stream, rather than later work on another thread or request
     */
    boolean handledHere() {
        return Arc.container().requestContext().isActive() && CurrentRequestManager.get() == context;
    }

    /** @return true once RESTEasy Reactive suspended the request at the end of its SSE handler chain */
    boolean setUpComplete() {
        // suspend() is a plain write; the handler chain reads it back under the context's monitor.
        synchronized (context) {
            return context.isSuspended();
        }
    }

    /**
     * @return whether the request's handler chain runs to the end of its set-up even if the client leaves first; if
     *         not, RESTEasy Reactive's own close handler ends the request of a client that left (see
     *         {@link SseRequestChain})
     */
    boolean chainKept() {
        return chainKept;
    }

    /**
     * Drops the stream at once, whatever is still queued, for a client that does not take it. Over HTTP/1 that is a
     * TCP reset: Vert.x's own {@code reset()} would close the connection only after writing what is queued, which a
     * client that does not read never lets happen, so its socket and buffers would stay until the idle timeout. Over
     * HTTP/2 it resets the stream alone, not the connection other streams share.
     */
    void reset() {
        if (request.version() == HttpVersion.HTTP_2) {
            response.reset();
            return;
        }
        // called on the channel's event loop, so it cannot close between the check and the option
        Channel channel = ((ConnectionBase) ((HttpServerRequestInternal) request).connection()).channel();
        if (channel.isOpen()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (ChannelException e) {
                // a socket the peer reset already refuses options on some systems: closing it is all there is to do
                LOG.debugf("Could not set SO_LINGER before resetting an SSE stream: %s", e);
            }
            channel.close();
        }
    }

    /**
     * Ends the response if it is still open and closes the request context (its request scope, its completion
     * callbacks); idempotent. RESTEasy Reactive closes the context only when it ends the response itself, so for a
     * response the client closed, or a reset one, that is done here.
     */
    void end() {
        boolean gone = response.closed();
        try {
            sink.close();
            if (gone) {
                context.close();
            }
        } catch (RuntimeException e) {
            LOG.debugf("Ending an SSE response failed: %s", e);
        }
    }
}
