package io.quarkiverse.ssechannels.deployment;

import io.quarkiverse.ssechannels.runtime.SseChannelsDevUiService;
import io.quarkus.deployment.IsDevelopment;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;

/**
 * The extension's card in the Dev UI, in dev mode only: a page of the channels with live connection counts, their
 * last events and a form that sends a test event ({@code dev-ui/qwc-sse-channels-channels.js}), fed by
 * {@link SseChannelsDevUiService} over the Dev UI's JSON-RPC.
 */
public class SseChannelsDevUiProcessor {

    @BuildStep(onlyIf = IsDevelopment.class)
    CardPageBuildItem card() {
        CardPageBuildItem card = new CardPageBuildItem();
        card.addPage(Page.webComponentPageBuilder()
                .title("Channels")
                .icon("font-awesome-solid:tower-broadcast")
                .componentLink("qwc-sse-channels-channels.js")
                .dynamicLabelJsonRPCMethodName("getOpenConnections")
                .streamingLabelJsonRPCMethodName("streamOpenConnections"));
        return card;
    }

    @BuildStep(onlyIf = IsDevelopment.class)
    JsonRPCProvidersBuildItem jsonRpc() {
        return new JsonRPCProvidersBuildItem(SseChannelsDevUiService.class);
    }
}
