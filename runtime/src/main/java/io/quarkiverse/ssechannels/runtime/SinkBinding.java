package io.quarkiverse.ssechannels.runtime;

import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.jaxrs.SseEventSinkImpl;

import io.quarkus.arc.Arc;
import io.vertx.ext.web.RoutingContext;

/**
 * The stream of a RESTEasy Reactive {@link SseEventSink}: RESTEasy Reactive keeps the request (its context, its
 * request scope) until the connection ends it. All use of RESTEasy Reactive internals is kept here.
 */
final class SinkBinding extends StreamBinding {

    private static final Logger LOG = Logger.getLogger(SinkBinding.class);

    private final ResteasyReactiveRequestContext context;
    private final SseEventSinkImpl sink;
    private final boolean chainKept;

    private SinkBinding(ResteasyReactiveRequestContext context, SseEventSinkImpl sink, RoutingContext routing) {
        super(routing.request(), routing.response());
        this.context = context;
        this.sink = sink;
        this.chainKept = SseRequestChain.kept(context);
    }

    /**
     * @throws IllegalStateException if the sink is not the one of the RESTEasy Reactive request being handled
     */
    static SinkBinding of(SseEventSink sink) {
        ResteasyReactiveRequestContext context = CurrentRequestManager.get();
        if (context == null || sink == null || context.getSseEventSink() != sink) {
            throw new IllegalStateException("SseChannels.open(sink) must be called from the RESTEasy Reactive resource "
                    + "method that received the sink with @Context SseEventSink, got sink [" + sink + "]");
        }
        return new SinkBinding(context, (SseEventSinkImpl) sink, context.serverRequest().unwrap(RoutingContext.class));
    }

    /** RESTEasy Reactive's sink expects the head written once the stream is open. */
    @Override
    boolean headWithFirstFrames() {
        return false;
    }

    @Override
    void headWritten() {
        SseRequestChain.markOpened(context);
    }

    /**
     * RESTEasy Reactive ends the response itself only before the set-up completed, which attach() watches for; the
     * application handed the sink over with {@code open(sink)} and does not close it.
     */
    @Override
    void whenEnded(Runnable action) {
        // nothing to register
    }

    /** The resource method that opened the stream. */
    @Override
    boolean handledHere() {
        return Arc.container().requestContext().isActive() && CurrentRequestManager.get() == context;
    }

    /** RESTEasy Reactive suspended the request at the end of its SSE handler chain. */
    @Override
    boolean setUpComplete() {
        // suspend() is a plain write; the handler chain reads it back under the context's monitor.
        synchronized (context) {
            return context.isSuspended();
        }
    }

    /** See {@link SseRequestChain}: RESTEasy Reactive's own close handler was dropped. */
    @Override
    boolean chainKept() {
        return chainKept;
    }

    /**
     * Also closes the request context (its request scope, its completion callbacks). RESTEasy Reactive closes the
     * context only when it ends the response itself, so for a response the client closed, or a reset one, that is
     * done here.
     */
    @Override
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
