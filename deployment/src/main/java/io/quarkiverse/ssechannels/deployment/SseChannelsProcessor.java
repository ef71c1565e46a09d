package io.quarkiverse.ssechannels.deployment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.ClassType;
import org.jboss.jandex.DotName;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.ParameterizedType;
import org.jboss.jandex.Type;
import org.jboss.resteasy.reactive.server.model.HandlerChainCustomizer;
import org.jboss.resteasy.reactive.server.processor.scanning.MethodScanner;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.JacksonDataSerializer;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.runtime.SseChannelsRecorder;
import io.quarkiverse.ssechannels.runtime.SseRequestChain;
import io.quarkiverse.ssechannels.runtime.config.SseChannelsBuildTimeConfig;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.ShutdownListenerBuildItem;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.resteasy.reactive.server.spi.MethodScannerBuildItem;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import io.smallrye.mutiny.Multi;

class SseChannelsProcessor {

    static final String FEATURE = "sse-channels";
    private static final String BACKEND = "quarkus.sse-channels.backend";
    private static final String REDIS_BROKER = "io.quarkiverse.ssechannels.runtime.RedisBroker";
    private static final String MICROMETER_METRICS = "io.quarkiverse.ssechannels.runtime.MicrometerMetrics";
    private static final String HEALTH_CHECK = "io.quarkiverse.ssechannels.runtime.SseChannelsHealthCheck";

    private static final DotName CHANNEL = DotName.createSimple(Channel.class);
    private static final DotName CHANNEL_NAME = DotName.createSimple(ChannelName.class);
    private static final DotName CHANNEL_STORE = DotName.createSimple(ChannelStore.class);
    private static final DotName TEMPORARY_CHANNELS = DotName.createSimple(TemporaryChannels.class);
    private static final DotName SSE_EVENT_SINK = DotName.createSimple(SseEventSink.class);
    private static final DotName MULTI = DotName.createSimple(Multi.class);
    private static final DotName OUTBOUND_SSE_EVENT = DotName.createSimple(OutboundSseEvent.class);
    private static final DotName PRODUCES = DotName.createSimple(Produces.class);

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * Resource methods that take an {@code SseEventSink}, or return a {@code Multi} of {@code OutboundSseEvent} as an
     * event stream (which may be the stream of {@code SseChannels.multi}), get {@link SseRequestChain}'s handlers: a
     * client leaving while such a method runs must not move its handler chain from another thread, and a returned
     * stream is opened right after the method.
     */
    @BuildStep
    MethodScannerBuildItem streamRequestChains() {
        return new MethodScannerBuildItem(new MethodScanner() {
            @Override
            public List<HandlerChainCustomizer> scan(MethodInfo method, ClassInfo actualEndpointClass,
                    Map<String, Object> methodContext) {
                boolean stream = method.parameterTypes().stream().anyMatch(t -> t.name().equals(SSE_EVENT_SINK))
                        || mayReturnStream(method.returnType()) && producesEventStream(method, actualEndpointClass);
                return stream ? List.of(new SseRequestChain.Customizer()) : List.of();
            }
        });
    }

    /**
     * @return whether a method of that return type may return the stream of {@code SseChannels.multi}: a
     *         {@code Multi} of {@code OutboundSseEvent}, or of a type not given; the application's own streams of
     *         other items are left alone
     */
    private static boolean mayReturnStream(Type type) {
        if (!type.name().equals(MULTI)) {
            return false;
        }
        if (type.kind() != Type.Kind.PARAMETERIZED_TYPE) {
            return true;
        }
        Type item = type.asParameterizedType().arguments().get(0);
        return item.name().equals(OUTBOUND_SSE_EVENT) || item.kind() == Type.Kind.WILDCARD_TYPE
                || item.kind() == Type.Kind.TYPE_VARIABLE;
    }

    /** @return whether the method's {@code @Produces}, else its class's, names {@code text/event-stream} */
    private static boolean producesEventStream(MethodInfo method, ClassInfo endpoint) {
        AnnotationInstance produces = method.declaredAnnotation(PRODUCES);
        if (produces == null) {
            produces = endpoint.declaredAnnotation(PRODUCES);
        }
        if (produces == null) {
            produces = method.declaringClass().declaredAnnotation(PRODUCES);
        }
        return produces != null && produces.value() != null && Arrays.stream(produces.value().asStringArray())
                .anyMatch(type -> type.startsWith(MediaType.SERVER_SENT_EVENTS));
    }

    /** With SmallRye Health, the readiness check {@code sse-channels}, unless turned off; nothing otherwise. */
    @BuildStep
    HealthBuildItem health(SseChannelsBuildTimeConfig config) {
        return new HealthBuildItem(HEALTH_CHECK, config.health().enabled());
    }

    /**
     * With Micrometer (the metrics capability, as the application's {@code quarkus-micrometer} provides it), the
     * extension's meters; nothing otherwise. By name, as the Redis broker: the class refers to Micrometer types.
     */
    @BuildStep
    void metrics(Optional<MetricsCapabilityBuildItem> metrics, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (metrics.isPresent() && metrics.get().metricsSupported(MetricsFactory.MICROMETER)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(MICROMETER_METRICS));
        }
    }

    @BuildStep
    void beans(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        beans.produce(AdditionalBeanBuildItem.unremovableOf(SseChannelsImpl.class));
        // the qualifiers live in the runtime module, which the application's bean archive does not cover
        beans.produce(new AdditionalBeanBuildItem(ChannelName.class, ChannelStore.class));
        if (capabilities.isPresent(Capability.JACKSON)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(JacksonDataSerializer.class));
        }
        if (capabilities.isPresent(Capability.REDIS_CLIENT)) {
            // by name: the class refers to Redis types, which only an application with the Redis client has
            beans.produce(AdditionalBeanBuildItem.unremovableOf(REDIS_BROKER));
        } else if (ConfigProvider.getConfig().getOptionalValue(BACKEND, String.class)
                .filter("redis"::equalsIgnoreCase).isPresent()) {
            throw new ConfigurationException(SseChannelsRecorder.REDIS_NEEDS_CLIENT);
        }
    }

    /**
     * Gathers channel names and temporary-channel stores from injection points, and turns every mistaken
     * injection point into a build error that names it and says what to write instead.
     * <p>
     * The errors are thrown here rather than produced as validation errors: ArC's own validation runs first and
     * would only report an unsatisfied dependency, which does not say what to write instead.
     */
    @BuildStep
    ChannelInjectionPointsBuildItem injectionPoints(BeanDiscoveryFinishedBuildItem discovery) {
        List<String> errors = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        Map<String, Type> stores = new TreeMap<>();
        boolean userChannelBeans = !discovery.beanStream().withBeanType(CHANNEL).isEmpty();
        for (InjectionPointInfo injectionPoint : discovery.getInjectionPoints()) {
            Type required = injectionPoint.getRequiredType();
            AnnotationInstance qualifier = injectionPoint.getRequiredQualifier(CHANNEL_NAME);
            AnnotationInstance store = injectionPoint.getRequiredQualifier(CHANNEL_STORE);
            if (qualifier != null) {
                if (!required.name().equals(CHANNEL)) {
                    errors.add(error(injectionPoint, "@ChannelName qualifies " + Channel.class.getName()
                            + " injection points only, but this one has type [" + required + "]"));
                    continue;
                }
                String name = qualifier.value().asString();
                if (name.isBlank()) {
                    errors.add(error(injectionPoint, "@ChannelName needs a name, got [" + name + "]"));
                    continue;
                }
                names.add(name);
            } else if (required.name().equals(CHANNEL) && !userChannelBeans) {
                errors.add(error(injectionPoint, "a Channel is injected by name: add @ChannelName(\"<name>\")"));
            } else if (store != null && !required.name().equals(TEMPORARY_CHANNELS)) {
                errors.add(error(injectionPoint, "@ChannelStore qualifies " + TemporaryChannels.class.getName()
                        + " injection points only, but this one has type [" + required + "]"));
            } else if (required.name().equals(TEMPORARY_CHANNELS)) {
                storeOf(injectionPoint, required, store, stores, errors);
            }
        }
        if (!errors.isEmpty()) {
            throw new DeploymentException("Invalid SSE channels injection points:\n- " + String.join("\n- ", errors));
        }
        return new ChannelInjectionPointsBuildItem(names, stores);
    }

    private static void storeOf(InjectionPointInfo injectionPoint, Type required, AnnotationInstance store,
            Map<String, Type> stores, List<String> errors) {
        if (store == null) {
            errors.add(error(injectionPoint, "a store of temporary channels is injected by name, so that two "
                    + "features never share keys: add @ChannelStore(\"<name>\")"));
            return;
        }
        String name = store.value().asString();
        if (name.isBlank()) {
            errors.add(error(injectionPoint, "@ChannelStore needs a name, got [" + name + "]"));
            return;
        }
        Type key = required.kind() == Type.Kind.PARAMETERIZED_TYPE
                ? required.asParameterizedType().arguments().get(0)
                : null;
        if (key == null || key.kind() == Type.Kind.WILDCARD_TYPE || key.kind() == Type.Kind.TYPE_VARIABLE) {
            errors.add(error(injectionPoint, "TemporaryChannels needs a concrete key type, e.g. "
                    + "TemporaryChannels<String>, got [" + required + "]"));
            return;
        }
        Type known = stores.putIfAbsent(name, key);
        if (known != null && !known.equals(key)) {
            errors.add(error(injectionPoint, "store [" + name + "] has key type [" + known
                    + "] at another injection point, but [" + key + "] here; use one key type per store"));
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void syntheticBeans(ChannelInjectionPointsBuildItem injected, SseChannelsRecorder recorder,
            BuildProducer<SyntheticBeanBuildItem> beans) {
        ClassType entryPoint = ClassType.create(DotName.createSimple(SseChannels.class));
        for (String name : injected.channelNames()) {
            beans.produce(SyntheticBeanBuildItem.configure(Channel.class)
                    .scope(Singleton.class)
                    .addQualifier(AnnotationInstance.builder(CHANNEL_NAME).add("value", name).build())
                    .addInjectionPoint(entryPoint)
                    .createWith(recorder.namedChannel(name))
                    .setRuntimeInit()
                    .unremovable()
                    .done());
        }
        for (Map.Entry<String, Type> store : injected.stores().entrySet()) {
            beans.produce(SyntheticBeanBuildItem.configure(TemporaryChannels.class)
                    .types(ParameterizedType.create(TEMPORARY_CHANNELS, new Type[] { store.getValue() }, null))
                    .scope(Singleton.class)
                    .addQualifier(AnnotationInstance.builder(CHANNEL_STORE).add("value", store.getKey()).build())
                    .addInjectionPoint(entryPoint)
                    .createWith(recorder.store(store.getKey(), store.getValue().name().toString()))
                    .setRuntimeInit()
                    .unremovable()
                    .done());
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void validateConfig(SseChannelsRecorder recorder, Capabilities capabilities,
            ChannelInjectionPointsBuildItem injected) {
        Map<String, String> keyTypes = new TreeMap<>();
        injected.stores().forEach((store, key) -> keyTypes.put(store, key.name().toString()));
        recorder.validateConfig(capabilities.isPresent(Capability.REDIS_CLIENT), keyTypes);
    }

    /** Streams are ended with a retry hint before the HTTP server stops. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    ShutdownListenerBuildItem shutdown(SseChannelsRecorder recorder) {
        return new ShutdownListenerBuildItem(recorder.shutdownListener());
    }

    private static String error(InjectionPointInfo injectionPoint, String problem) {
        return "[" + injectionPoint.getTargetInfo() + "]: " + problem;
    }
}
