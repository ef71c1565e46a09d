package io.quarkiverse.ssechannels.runtime;

import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.jaxrs.SseEventSinkImpl;

import io.quarkus.arc.Arc;
import io.vertx.ext.web.RoutingContext;

/**
 * The stream of a RESTEasy Reactive request: an {@link SseEventSink} its resource method received, or the
 * {@link ReturnedStream} it returned. RESTEasy Reactive keeps the request (its context, its request scope) until the
 * connection ends it. All use of RESTEasy Reactive internals is kept here.
 */
final class SinkBinding extends StreamBinding {

    private static final Logger LOG = Logger.getLogger(SinkBinding.class);

    private final ResteasyReactiveRequestContext context;
    /** {@code null} for a returned stream, whose request the connection ends itself. */
    private final SseEventSinkImpl sink;
    private final boolean chainKept;

    private SinkBinding(ResteasyReactiveRequestContext context, SseEventSinkImpl sink, RoutingContext routing) {
        super(routing);
        this.context = context;
        this.sink = sink;
        // a returned stream's request is suspended by the handler that opens it, whatever the client did meanwhile:
        // RESTEasy Reactive never ends it then, even where its own close handler was kept (a sub-resource locator)
        this.chainKept = sink == null || SseRequestChain.kept(context);
    }

    /**
     * @throws IllegalStateException if the sink is not the one of the RESTEasy Reactive request being handled
     */
    static SinkBinding of(SseEventSink sink) {
        ResteasyReactiveRequestContext context = currentRequest();
        if (context == null || sink == null || context.getSseEventSink() != sink) {
            throw new IllegalStateException("SseChannels.open(sink) must be called from the RESTEasy Reactive resource "
                    + "method that received the sink with @Context SseEventSink, got sink [" + sink + "]");
        }
        return new SinkBinding(context, (SseEventSinkImpl) sink, context.serverRequest().unwrap(RoutingContext.class));
    }

    /**
     * @return the RESTEasy Reactive request whose resource method the calling thread runs, {@code null} if none (its
     *         lookup needs an active request scope, which a thread outside any request does not have)
     */
    static ResteasyReactiveRequestContext currentRequest() {
        return Arc.container().requestContext().isActive() ? CurrentRequestManager.get() : null;
    }

    /** For the stream a resource method returned, opened on the thread that ran the method. */
    static SinkBinding of(ResteasyReactiveRequestContext context) {
        return new SinkBinding(context, null, context.serverRequest().unwrap(RoutingContext.class));
    }

    /**
     * RESTEasy Reactive's sink expects the head written once the stream is open; a returned stream is the
     * connection's alone, so its head goes with its first frames, as a route's does.
     */
    @Override
    boolean headWithFirstFrames() {
        return sink == null;
    }

    @Override
    void headWritten() {
        SseRequestChain.markOpened(context);
    }

    /**
     * RESTEasy Reactive ends the response itself only before the set-up completed, which attach() watches for; the
     * application handed the sink over with {@code open(sink)} and does not close it, or returned the stream.
     */
    @Override
    void whenEnded(Runnable action) {
        // nothing to register
    }

    /** The resource method that opened the stream, or the handler that opened the one it returned. */
    @Override
    boolean handledHere() {
        return currentRequest() == context;
    }

    /** RESTEasy Reactive suspended the request at the end of its SSE handler chain, or the returned stream did. */
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
     * Also closes the request context (its request scope, its completion callbacks). RESTEasy Reactive's sink closes
     * the context only when it ends the response itself, so for a response the client closed, or a reset one, that is
     * done here; the request of a returned stream is left to the connection alone.
     */
    @Override
    void end() {
        boolean gone = response.closed();
        try {
            if (sink != null) {
                sink.close();
            } else if (!gone && !response.ended()) {
                response.end();
            }
            if (gone || sink == null) {
                context.close();
            }
        } catch (RuntimeException e) {
            LOG.debugf("Ending an SSE response failed: %s", e);
        }
    }
}
