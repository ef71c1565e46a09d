package io.quarkiverse.ssechannels.runtime;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.ws.rs.sse.OutboundSseEvent;

import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;

import io.quarkiverse.ssechannels.Connection;
import io.smallrye.mutiny.helpers.Subscriptions;
import io.smallrye.mutiny.operators.AbstractMulti;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * The {@code Multi} that {@code SseChannels.multi} and {@code Channel.multi} give a resource method to return. It
 * carries no items: when the method returns it, {@link SseRequestChain} opens its connection on the request, right
 * after the method, on the thread that ran it, and the connection serves the stream through the same transport as
 * {@code open(sink)} (head, last event id, ping, timeout, limits, replay, a client that stops reading cut, every end
 * of the stream). Subscribing to it any other way fails (so does returning it from a method that does not produce
 * {@code text/event-stream}, which RESTEasy Reactive subscribes to): its events are only ever written to the
 * request's client.
 */
final class ReturnedStream extends AbstractMulti<OutboundSseEvent> {

    private final ResteasyReactiveRequestContext request;
    private final Function<StreamBinding, Connection> opener;
    private final Consumer<Connection> onOpen;

    private ReturnedStream(ResteasyReactiveRequestContext request, Function<StreamBinding, Connection> opener,
            Consumer<Connection> onOpen) {
        this.request = request;
        this.opener = opener;
        this.onOpen = onOpen;
    }

    /**
     * @param opener opens the connection on the stream: with options, or with a place in a channel
     * @throws IllegalStateException if called outside a RESTEasy Reactive resource method
     */
    static ReturnedStream of(Function<StreamBinding, Connection> opener, Consumer<Connection> onOpen) {
        Objects.requireNonNull(onOpen, "onOpen");
        ResteasyReactiveRequestContext request = SinkBinding.currentRequest();
        if (request == null) {
            throw new IllegalStateException("SseChannels.multi and Channel.multi make the stream of a RESTEasy "
                    + "Reactive request: call them from the resource method that returns the Multi");
        }
        return new ReturnedStream(request, opener, onOpen);
    }

    /**
     * Opens the stream on the request, hands the connection to the application, then suspends the request: from
     * here on the connection ends it. A refusal (a full channel or application) is thrown before anything is written,
     * and RESTEasy Reactive answers it (503).
     *
     * @throws IllegalStateException if the request is not the one whose resource method made this stream
     */
    void open(ResteasyReactiveRequestContext context) {
        if (context != request) {
            throw new IllegalStateException("The Multi of SseChannels.multi serves the request whose resource method "
                    + "made it, not another one: " + context.getMethod() + " " + context.getPath());
        }
        onOpen.accept(opener.apply(SinkBinding.of(context)));
        context.suspend();
    }

    @Override
    public void subscribe(MultiSubscriber<? super OutboundSseEvent> subscriber) {
        Subscriptions.fail(subscriber, new IllegalStateException("The Multi of SseChannels.multi is served to the "
                + "client of the request by the extension itself: return it as is from a resource method that "
                + "produces text/event-stream, without operators, and do not subscribe to it"));
    }
}
