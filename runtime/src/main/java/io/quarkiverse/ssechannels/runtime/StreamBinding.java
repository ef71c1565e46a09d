package io.quarkiverse.ssechannels.runtime;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
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
 * What a connection needs of the HTTP request that opened its stream: the Vert.x request and response, the event
 * loop, and a clean end. One transport for every way of opening a stream; the subclasses only say how the framework
 * that handled the request lets go of it: {@link SinkBinding} for a RESTEasy Reactive {@code SseEventSink} or a
 * {@link ReturnedStream}, {@link RouteBinding} for a Vert.x route.
 */
abstract sealed class StreamBinding permits SinkBinding, RouteBinding {

    private static final Logger LOG = Logger.getLogger(StreamBinding.class);
    private static final CharSequence TEXT_EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");
    private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
    private static final CharSequence X_ACCEL_BUFFERING = HttpHeaders.createOptimized("X-Accel-Buffering");
    private static final CharSequence NO = HttpHeaders.createOptimized("no");

    final HttpServerRequest request;
    final HttpServerResponse response;
    /** The client's identity when the stream opened, {@code null} if the request was not authenticated. */
    final SecurityIdentity identity;

    StreamBinding(RoutingContext routing) {
        this.request = routing.request();
        this.response = routing.response();
        this.identity = identityOf(routing);
    }

    /** @return the identity Quarkus Security authenticated the request with, {@code null} if none or anonymous */
    static SecurityIdentity identityOf(RoutingContext routing) {
        return routing.user() instanceof QuarkusHttpUser user && !user.getSecurityIdentity().isAnonymous()
                ? user.getSecurityIdentity()
                : null;
    }

    /**
     * Prepares the response head, and sends it now unless {@link #headWithFirstFrames()}: either way the client has
     * it before any event.
     */
    void writeHead() {
        response.setStatusCode(200);
        response.headers()
                .set(HttpHeaders.CONTENT_TYPE, TEXT_EVENT_STREAM)
                .set(HttpHeaders.CACHE_CONTROL, NO_CACHE)
                .set(X_ACCEL_BUFFERING, NO);
        response.setChunked(true);
        if (!headWithFirstFrames()) {
            response.write(Buffer.buffer());
        }
        headWritten();
    }

    /**
     * @return whether the head goes out with the connection's first write (with whatever the application queued
     *         meanwhile, one write instead of two), which its event loop makes as soon as it runs the connection's
     *         first task when the stream was opened on that event loop, and {@code write-delay} later when it was
     *         opened on another thread, rather than when the stream is opened
     */
    abstract boolean headWithFirstFrames();

    /** From here on the connection ends the request, whenever its client leaves. */
    abstract void headWritten();

    /**
     * @param action run (on any thread) when the response ends, if the framework lets the application end it: the
     *        connection then closes; also run when the connection itself ends it, when it is closed already
     */
    abstract void whenEnded(Runnable action);

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
     * @return whether the calling thread is handling this stream's request, rather than later work on another thread
     *         or request: a join from there resumes from the client's last event id
     */
    abstract boolean handledHere();

    /** @return true once the framework that handled the request let go of it: the connection may end it */
    abstract boolean setUpComplete();

    /**
     * @return whether the request's set-up completes even if the client leaves first; if not, a request whose client
     *         left before its set-up completed is ended by the framework
     */
    abstract boolean chainKept();

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

    /** Ends the response if it is still open, and lets go of the request; idempotent. */
    abstract void end();
}
