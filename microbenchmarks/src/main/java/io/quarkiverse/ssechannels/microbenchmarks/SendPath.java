package io.quarkiverse.ssechannels.microbenchmarks;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Instance;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;

/**
 * The send path without connections: encoding the frame once, stamping it, and appending it to the channel's
 * history (500 events, as the demo keeps), as an application thread publishes. Run with 1 and 2 threads
 * ({@code -t}): with {@code independent} channels every thread sends to a channel of its own, and the throughput
 * with 2 threads over 1 says how far sends to different channels scale with cores; with one {@code shared} channel
 * they contend for its lock.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SendPath {

    private static final SseMessage MESSAGE = SseMessage.builder().event("weather-event")
            .data("x".repeat(100)).build();

    @Param({ "independent", "shared" })
    public String channels;

    private Vertx vertx;
    private SseChannels sse;

    @Setup
    public void start() {
        vertx = Vertx.vertx();
        SseChannelsRuntimeConfig config = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(SseChannelsRuntimeConfig.class)
                .build().getConfigMapping(SseChannelsRuntimeConfig.class);
        sse = new SseChannelsImpl(config, vertx, unresolvable(), unresolvable(), unresolvable());
    }

    @TearDown
    public void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** The channel a thread sends to, chosen once per thread. */
    @State(Scope.Thread)
    public static class Sender {

        Channel channel;

        @Setup(Level.Trial)
        public void pick(SendPath bench, ThreadParams thread) {
            channel = bench.sse.channel(bench.channels.equals("shared") ? "shared" : "c" + thread.getThreadIndex());
        }
    }

    @Benchmark
    public String send(Sender sender) {
        return sender.channel.send(MESSAGE);
    }

    /** An {@code Instance} that resolves nothing: no serializer for objects, no Redis broker. */
    @SuppressWarnings("unchecked")
    private static <T> Instance<T> unresolvable() {
        return (Instance<T>) Proxy.newProxyInstance(SendPath.class.getClassLoader(), new Class<?>[] { Instance.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "isResolvable" -> false;
                    case "isUnsatisfied" -> true;
                    case "isAmbiguous" -> false;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
