package io.quarkiverse.ssechannels.runtime;

import java.util.function.Consumer;

import jakarta.ws.rs.sse.SseEventSink;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseMessage;

/**
 * The stable handle behind {@code @ChannelName("x")} and {@code SseChannels.channel("x")}. Injected beans live as
 * long as the application, but a named channel can close (its empty timeout, or close()): every call goes to the
 * live channel of that name, which the registry replaces once the previous one closed.
 */
final class NamedChannel implements Channel {

    private final String name;
    private final SseChannelsImpl owner;

    NamedChannel(String name, SseChannelsImpl owner) {
        this.name = name;
        this.owner = owner;
    }

    private ChannelImpl live() {
        return owner.liveNamedChannel(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Connection open(SseEventSink sink) {
        return live().open(sink);
    }

    @Override
    public void add(Connection connection) {
        live().add(connection);
    }

    @Override
    public void remove(Connection connection) {
        live().remove(connection);
    }

    @Override
    public String send(SseMessage message) {
        return live().send(message);
    }

    @Override
    public int size() {
        return live().size();
    }

    @Override
    public int historySize() {
        return live().historySize();
    }

    @Override
    public void close() {
        live().close();
    }

    /**
     * @return {@code false}: a named channel that closed is replaced by the next call, this one included
     */
    @Override
    public boolean isClosed() {
        return live().isClosed();
    }

    @Override
    public Connection.Registration onClose(Consumer<Channel> listener) {
        return live().onClose(listener);
    }

    @Override
    public String toString() {
        return "SSE channel [" + name + "]";
    }
}
