package io.quarkiverse.ssechannels.deployment;

import java.util.Map;
import java.util.Set;

import org.jboss.jandex.Type;

import io.quarkus.builder.item.SimpleBuildItem;

/**
 * This build item represents what the application injects: the names of its {@code @ChannelName} channels and the
 * names of its {@code @ChannelStore} stores of temporary channels, each with its key type.
 */
public final class ChannelInjectionPointsBuildItem extends SimpleBuildItem {

    private final Set<String> channelNames;
    private final Map<String, Type> stores;

    public ChannelInjectionPointsBuildItem(Set<String> channelNames, Map<String, Type> stores) {
        this.channelNames = Set.copyOf(channelNames);
        this.stores = Map.copyOf(stores);
    }

    public Set<String> channelNames() {
        return channelNames;
    }

    /**
     * @return the key type of each store, by store name
     */
    public Map<String, Type> stores() {
        return stores;
    }
}
