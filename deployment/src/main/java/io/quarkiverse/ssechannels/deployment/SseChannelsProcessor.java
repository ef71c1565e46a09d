package io.quarkiverse.ssechannels.deployment;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

import jakarta.inject.Singleton;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.ClassType;
import org.jboss.jandex.DotName;
import org.jboss.jandex.ParameterizedType;
import org.jboss.jandex.Type;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.runtime.JacksonDataSerializer;
import io.quarkiverse.ssechannels.runtime.SseChannelsImpl;
import io.quarkiverse.ssechannels.runtime.SseChannelsRecorder;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.deployment.ValidationPhaseBuildItem.ValidationErrorBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;

class SseChannelsProcessor {

    static final String FEATURE = "sse-channels";

    private static final DotName CHANNEL = DotName.createSimple(Channel.class);
    private static final DotName CHANNEL_NAME = DotName.createSimple(ChannelName.class);
    private static final DotName TEMPORARY_CHANNELS = DotName.createSimple(TemporaryChannels.class);

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    void beans(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        beans.produce(AdditionalBeanBuildItem.unremovableOf(SseChannelsImpl.class));
        if (capabilities.isPresent(Capability.JACKSON)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(JacksonDataSerializer.class));
        }
    }

    /**
     * Gathers channel names and temporary-channel key types from injection points, and turns every mistaken
     * injection point into a build error that names it and says what to write instead.
     */
    @BuildStep
    ChannelInjectionPointsBuildItem injectionPoints(BeanDiscoveryFinishedBuildItem discovery,
            BuildProducer<ValidationErrorBuildItem> errors) {
        Set<String> names = new TreeSet<>();
        Set<Type> keyTypes = new LinkedHashSet<>();
        boolean userChannelBeans = !discovery.beanStream().withBeanType(CHANNEL).isEmpty();
        for (InjectionPointInfo injectionPoint : discovery.getInjectionPoints()) {
            Type required = injectionPoint.getRequiredType();
            AnnotationInstance qualifier = injectionPoint.getRequiredQualifier(CHANNEL_NAME);
            if (qualifier != null) {
                if (!required.name().equals(CHANNEL)) {
                    errors.produce(error(injectionPoint, "@ChannelName qualifies " + Channel.class.getName()
                            + " injection points only, but this one has type [" + required + "]"));
                    continue;
                }
                String name = qualifier.value().asString();
                if (name.isBlank()) {
                    errors.produce(error(injectionPoint, "@ChannelName needs a name, got [" + name + "]"));
                    continue;
                }
                names.add(name);
            } else if (required.name().equals(CHANNEL) && !userChannelBeans) {
                errors.produce(error(injectionPoint, "a Channel is injected by name: add @ChannelName(\"<name>\")"));
            } else if (required.name().equals(TEMPORARY_CHANNELS)) {
                Type key = required.kind() == Type.Kind.PARAMETERIZED_TYPE
                        ? required.asParameterizedType().arguments().get(0)
                        : null;
                if (key == null || key.kind() == Type.Kind.WILDCARD_TYPE || key.kind() == Type.Kind.TYPE_VARIABLE) {
                    errors.produce(error(injectionPoint, "TemporaryChannels needs a concrete key type, e.g. "
                            + "TemporaryChannels<String>, got [" + required + "]"));
                    continue;
                }
                keyTypes.add(key);
            }
        }
        return new ChannelInjectionPointsBuildItem(names, keyTypes);
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
        for (Type key : injected.temporaryKeyTypes()) {
            beans.produce(SyntheticBeanBuildItem.configure(TemporaryChannels.class)
                    .types(ParameterizedType.create(TEMPORARY_CHANNELS, new Type[] { key }, null))
                    .scope(Singleton.class)
                    .addInjectionPoint(entryPoint)
                    .createWith(recorder.temporaryChannels(key.toString()))
                    .setRuntimeInit()
                    .unremovable()
                    .done());
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void validateConfig(SseChannelsRecorder recorder) {
        recorder.validateConfig();
    }

    private static ValidationErrorBuildItem error(InjectionPointInfo injectionPoint, String problem) {
        return new ValidationErrorBuildItem(new IllegalStateException(
                "Invalid SSE channels injection point [" + injectionPoint.getTargetInfo() + "]: " + problem));
    }
}
