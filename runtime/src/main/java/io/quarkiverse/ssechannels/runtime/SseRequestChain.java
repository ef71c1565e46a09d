package io.quarkiverse.ssechannels.runtime;

import java.util.List;

import org.jboss.resteasy.reactive.common.model.ResourceClass;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.model.HandlerChainCustomizer;
import org.jboss.resteasy.reactive.server.model.ServerResourceMethod;
import org.jboss.resteasy.reactive.server.spi.ServerRestHandler;

import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps the handler chain of a request to a resource method that takes an {@code SseEventSink}, or returns a
 * {@code Multi} as an event stream, in the hands of the thread that runs it, and opens the stream such a method
 * returned from {@code SseChannels.multi} ({@link ReturnedStream}) right after it, on that thread.
 * <p>
 * RESTEasy Reactive, in the Quarkus release this extension builds on, installs a close handler on every response
 * that, when the client goes away, moves the chain's position to its end from the event loop, while a worker thread
 * may be running that very chain (the resource method of a stream is blocking unless declared otherwise). The two
 * threads share the position and the handler array without synchronisation, so a client that leaves at the wrong
 * moment makes the worker read past the chain's end: an {@code ArrayIndexOutOfBoundsException} logged at ERROR for a
 * request whose client simply left (Quarkus issue 55116, fixed in later releases, which dispatch close handlers
 * differently: drop this class with the upgrade). Clients of SSE streams leave during set-up all the time, so for
 * the resource methods of streams:
 * <ul>
 * <li>on the event loop, before the request moves to a worker thread, that close handler is dropped (a method
 * reached through a sub-resource locator is matched on a worker already: its chain is left as RESTEasy Reactive
 * made it);</li>
 * <li>on the worker thread, right after the resource method, a request whose client left and whose stream this
 * extension did not open skips the rest of its chain, as the dropped handler meant it to, from the thread that owns
 * the chain. A stream this extension opened goes on to the end of its set-up, where its connection ends it and its
 * request.</li>
 * </ul>
 * The marks live in the request's properties, under RESTEasy Reactive's prefix for properties of its own, which
 * the application's filters do not list.
 */
public final class SseRequestChain {

    /** The close handler was dropped: the chain runs to the end of its set-up even if the client leaves. */
    private static final String KEPT = "$RR$" + SseRequestChain.class.getName() + ".kept";
    /** The extension opened the request's stream: its connection ends the request. */
    private static final String OPENED = "$RR$" + SseRequestChain.class.getName() + ".opened";

    private SseRequestChain() {
    }

    static boolean kept(ResteasyReactiveRequestContext context) {
        return context.getProperty(KEPT) != null;
    }

    static void markOpened(ResteasyReactiveRequestContext context) {
        context.setProperty(OPENED, Boolean.TRUE);
    }

    /**
     * Adds the handlers to the chain of a resource method that takes an {@code SseEventSink} or returns a
     * {@code Multi} as an event stream; recorded. A returned stream is opened before RESTEasy Reactive's own handling
     * of a returned {@code Multi}, which it never reaches.
     */
    public static final class Customizer implements HandlerChainCustomizer {

        @Override
        public List<ServerRestHandler> handlers(Phase phase, ResourceClass resourceClass,
                ServerResourceMethod resourceMethod) {
            return switch (phase) {
                case AFTER_MATCH -> List.of(DropCloseHandler.INSTANCE);
                case AFTER_METHOD_INVOKE -> List.of(OpenReturnedStream.INSTANCE, SkipRestIfGone.INSTANCE);
                default -> List.of();
            };
        }
    }

    /**
     * Runs on the thread that ran the resource method: opens the stream it returned, if it returned one of
     * {@link ReturnedStream}, and suspends the request, which ends the chain here.
     */
    private static final class OpenReturnedStream implements ServerRestHandler {

        static final OpenReturnedStream INSTANCE = new OpenReturnedStream();

        @Override
        public void handle(ResteasyReactiveRequestContext context) {
            if (context.getResult() instanceof ReturnedStream stream) {
                stream.open(context);
            }
        }
    }

    /** Runs where the chain is matched: on the event loop, unless a sub-resource locator moved it already. */
    private static final class DropCloseHandler implements ServerRestHandler {

        static final DropCloseHandler INSTANCE = new DropCloseHandler();

        @Override
        public void handle(ResteasyReactiveRequestContext context) {
            if (Context.isOnEventLoopThread()) {
                context.serverRequest().unwrap(RoutingContext.class).response().closeHandler(null);
                context.setProperty(KEPT, Boolean.TRUE);
            }
        }
    }

    /** Runs on the thread that ran the resource method, which owns the chain's position. */
    private static final class SkipRestIfGone implements ServerRestHandler {

        static final SkipRestIfGone INSTANCE = new SkipRestIfGone();

        @Override
        public void handle(ResteasyReactiveRequestContext context) {
            if (kept(context) && context.getProperty(OPENED) == null
                    && context.serverRequest().unwrap(RoutingContext.class).response().closed()) {
                context.setPosition(context.getHandlers().length);
            }
        }
    }
}
