package io.quarkiverse.ssechannels.runtime;

import java.util.Objects;

import org.jboss.logging.Logger;

import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.RoutingContext;

/**
 * The stream of a Vert.x route: nothing else holds on to the request, so the connection is its only owner from the
 * start, and ends the response itself.
 */
final class RouteBinding extends StreamBinding {

    private static final Logger LOG = Logger.getLogger(RouteBinding.class);

    /** The Vert.x context of the request's handling: the route's handler, its blocking handler, their callbacks. */
    private final ContextInternal handling;

    private RouteBinding(RoutingContext routing, ContextInternal handling) {
        super(routing.request(), routing.response());
        this.handling = handling;
    }

    /**
     * @throws IllegalStateException if called off a Vert.x thread, or once the response head was written
     */
    static RouteBinding of(RoutingContext routing) {
        Objects.requireNonNull(routing, "routing");
        ContextInternal current = ContextInternal.current();
        if (current == null) {
            throw new IllegalStateException("SseChannels.open(RoutingContext) must be called from the route's handler, "
                    + "on the Vert.x thread handling the request");
        }
        if (routing.response().headWritten()) {
            throw new IllegalStateException("SseChannels.open(RoutingContext) needs a response whose head is not "
                    + "written yet: " + routing.request().method() + " " + routing.request().path());
        }
        return new RouteBinding(routing, current);
    }

    @Override
    void headWritten() {
        // nobody else ends this response
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
