package io.quarkiverse.ssechannels.runtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.EventLoop;

/**
 * The connections of one event loop that have frames waiting. A broadcast to thousands of connections costs one task
 * per event loop rather than one per connection, and each connection writes everything it has in one go.
 */
final class Outbox implements Runnable {

    private final EventLoop loop;
    private final Queue<ConnectionImpl> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Outbox(EventLoop loop) {
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    void schedule(ConnectionImpl connection) {
        ready.offer(connection);
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        ConnectionImpl connection;
        while ((connection = ready.poll()) != null) {
            connection.flush();
        }
    }
}
