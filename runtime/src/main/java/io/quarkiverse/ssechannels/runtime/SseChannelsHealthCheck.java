package io.quarkiverse.ssechannels.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.quarkiverse.ssechannels.SseChannels;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The readiness check {@code sse-channels}, registered when the application has SmallRye Health: up with the memory
 * backend; with Redis, up when Redis answers within {@code quarkus.sse-channels.redis.timeout}. It reports the
 * backend and the streams open now.
 */
@Readiness
@ApplicationScoped
public class SseChannelsHealthCheck implements AsyncHealthCheck {

    static final String NAME = "sse-channels";

    private final SseChannelsImpl sse;

    @Inject
    public SseChannelsHealthCheck(SseChannels sse) {
        this.sse = (SseChannelsImpl) sse;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Broker broker = sse.broker();
        if (broker == null) {
            return Uni.createFrom().item(() -> builder("memory").up().build());
        }
        // asking Redis waits for it: on a worker, never on the event loop that serves the health endpoint
        return Uni.createFrom().item(() -> {
            HealthCheckResponseBuilder builder = builder("redis");
            try {
                broker.ping();
                return builder.up().build();
            } catch (RuntimeException e) {
                // BackendUnavailableException, or the client closing as the application stops: down, said once here
                return builder.down().withData("error", String.valueOf(e.getMessage())).build();
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private HealthCheckResponseBuilder builder(String backend) {
        return HealthCheckResponse.named(NAME).withData("backend", backend)
                .withData("connections", sse.openConnections());
    }
}
