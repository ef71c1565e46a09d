package io.quarkiverse.ssechannels.runtime;

import java.util.Objects;

import org.jboss.logging.Logger;

import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.RoutingContext;

/**
 * The stream of a Vert.x route: nothing else holds on to the request, so the connection is its only owner from the
 * start, and ends the response itself.
 */
final class RouteBinding extends StreamBinding {

    private static final Logger LOG = Logger.getLogger(RouteBinding.class);
    /** Marks a routing context whose response a connection took: its head may not be written yet. */
    private static final String OPENED = RouteBinding.class.getName() + ".opened";

    private final RoutingContext routing;
    /** The Vert.x context of the request's handling: the route's handler, its blocking handler, their callbacks. */
    private final ContextInternal handling;
    /** What the connection does when the response ends, by whoever ends it; set once it took over the stream. */
    private volatile Runnable whenEnded;

    private RouteBinding(RoutingContext routing, ContextInternal handling) {
        super(routing);
        this.routing = routing;
        this.handling = handling;
        // the application, or Vert.x Web's failure handling, may end the response of a keep-alive connection
        routing.addEndHandler(ended -> {
            Runnable action = whenEnded;
            // a failed end is the connection closing, which the connection's close handler tells
            if (ended.succeeded() && action != null) {
                action.run();
            }
        });
    }

    /**
     * @throws IllegalStateException if called off the request's own Vert.x context, once the response head was
     *         written, or once a connection took the response
     */
    static RouteBinding of(RoutingContext routing) {
        Objects.requireNonNull(routing, "routing");
        ContextInternal handling = (ContextInternal) ((HttpServerRequestInternal) routing.request()).context();
        if (ContextInternal.current() != handling) {
            throw new IllegalStateException("SseChannels.open(RoutingContext) must be called from the route's handler, "
                    + "on the Vert.x context handling the request");
        }
        if (routing.response().headWritten() || routing.get(OPENED) != null) {
            throw new IllegalStateException("SseChannels.open(RoutingContext) needs a response whose head is not "
                    + "written yet, and that no connection took: " + routing.request().method() + " "
                    + routing.request().path());
        }
        return new RouteBinding(routing, handling);
    }

    /**
     * The connection owns the response from here on (only the application's own end of it is watched), and its first
     * write comes with the first run of its event loop's outbox: at once when opened on that event loop, otherwise
     * {@code write-delay} later.
     */
    @Override
    boolean headWithFirstFrames() {
        return true;
    }

    /**
     * Marks the routing context taken, only now that the stream is open: an open that failed before (a closed channel,
     * a refusal) leaves the application free to answer the request otherwise, or to open it another way. The
     * connection ends this response, unless the application does first: see whenEnded.
     */
    @Override
    void headWritten() {
        routing.put(OPENED, Boolean.TRUE);
    }

    @Override
    void whenEnded(Runnable action) {
        whenEnded = action;
    }

    /** The request's own Vert.x context: its handler and what runs on it for that request. */
    @Override
    boolean handledHere() {
        return ContextInternal.current() == handling;
    }

    @Override
    boolean setUpComplete() {
        return true;
    }

    @Override
    boolean chainKept() {
        return true;
    }

    @Override
    void end() {
        try {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        } catch (RuntimeException e) {
            LOG.debugf("Ending an SSE response failed: %s", e);
        }
    }
}
