package io.quarkiverse.ssechannels.runtime;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.runtime.shutdown.ShutdownListener;

/**
 * Ends the streams in the pre-shutdown phase, before the HTTP server closes its connections: a ShutdownEvent
 * observer would run after, when there is no stream left to say goodbye on.
 */
public class StreamsShutdownListener implements ShutdownListener {

    @Override
    public void preShutdown(ShutdownNotification notification) {
        try {
            ArcContainer container = Arc.container();
            if (container != null) {
                InstanceHandle<SseChannelsImpl> channels = container.instance(SseChannelsImpl.class);
                if (channels.isAvailable()) {
                    channels.get().shutdown();
                }
            }
        } finally {
            notification.done();
        }
    }
}
