package io.quarkiverse.ssechannels.runtime.config;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What is fixed when the application is built.
 */
@ConfigMapping(prefix = "quarkus.sse-channels")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface SseChannelsBuildTimeConfig {

    /**
     * Health.
     */
    HealthConfig health();

    /**
     * Health.
     */
    interface HealthConfig {

        /**
         * Whether the application's readiness includes the check `sse-channels` when it has SmallRye Health
         * (`quarkus-smallrye-health`). It is up with the memory backend; with the Redis backend it says whether Redis
         * answers. Turn it off if a Redis outage should not take the application out of a load balancer: streams
         * of this instance's own keep working without Redis.
         */
        @WithDefault("true")
        boolean enabled();
    }
}
