package io.quarkiverse.ssechannels.deployment;

import java.util.Set;

import org.jboss.jandex.Type;

import io.quarkus.builder.item.SimpleBuildItem;

/**
 * This build item represents what the application injects: the names of its {@code @ChannelName} channels and the
 * key types of its {@code TemporaryChannels<K>} stores.
 */
public final class ChannelInjectionPointsBuildItem extends SimpleBuildItem {

    private final Set<String> channelNames;
    private final Set<Type> temporaryKeyTypes;

    public ChannelInjectionPointsBuildItem(Set<String> channelNames, Set<Type> temporaryKeyTypes) {
        this.channelNames = Set.copyOf(channelNames);
        this.temporaryKeyTypes = Set.copyOf(temporaryKeyTypes);
    }

    public Set<String> channelNames() {
        return channelNames;
    }

    public Set<Type> temporaryKeyTypes() {
        return temporaryKeyTypes;
    }
}
