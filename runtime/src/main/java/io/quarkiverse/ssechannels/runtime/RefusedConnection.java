package io.quarkiverse.ssechannels.runtime;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * What a route gets when its stream was refused, and answered {@code 503} already: a connection that is closed from
 * the start, so that the route's code runs on without a stream (joins return {@code false}, sends do nothing).
 */
final class RefusedConnection implements Connection {

    private final HttpServerRequest request;
    private final SecurityIdentity identity;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    RefusedConnection(RoutingContext routing) {
        this.request = routing.request();
        this.identity = StreamBinding.identityOf(routing);
    }

    @Override
    public String id() {
        return "refused";
    }

    @Override
    public boolean join(Channel... channels) {
        return join(null, channels);
    }

    @Override
    public boolean join(Function<Resume, SseMessage> first, Channel... channels) {
        if (channels == null || channels.length == 0) {
            throw new IllegalArgumentException("SSE connection [refused] must join at least one channel");
        }
        return false;
    }

    @Override
    public Resume resume() {
        return Resume.NONE;
    }

    @Override
    public void send(SseMessage message) {
        // no stream
    }

    @Override
    public void close() {
        // closed from the start
    }

    @Override
    public boolean isOpen() {
        return false;
    }

    /** Runs the listener at once, as for any connection that closed already. */
    @Override
    public Registration onClose(Consumer<Connection> listener) {
        Objects.requireNonNull(listener, "listener").accept(this);
        return () -> {
        };
    }

    @Override
    public String lastEventId() {
        return null;
    }

    @Override
    public Optional<SecurityIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public HttpServerRequest request() {
        return request;
    }

    @Override
    public String toString() {
        return "SSE connection [refused]";
    }
}
