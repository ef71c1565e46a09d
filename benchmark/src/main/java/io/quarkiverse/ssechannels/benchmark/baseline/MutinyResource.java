package io.quarkiverse.ssechannels.benchmark.baseline;

import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestStreamElementType;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/**
 * Baseline (b): a Mutiny {@link BroadcastProcessor} returned as a {@code Multi}, the other recipe of the guides,
 * with an explicit overflow strategy as a careful user writes it: each subscriber buffers up to 10,000 events
 * while its client does not request more (about 1 MiB of 100-byte events, the extension's default queue limit), and
 * fails (its stream ends) past that, instead of failing at the first event it is not ready for.
 */
@Singleton
@Path("/mutiny")
public class MutinyResource {

    private final BroadcastProcessor<String> processor = BroadcastProcessor.create();

    @GET
    @Path("/sse")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> subscribe() {
        return processor.onOverflow().buffer(10_000);
    }

    @POST
    @Path("/publish")
    @Consumes(MediaType.WILDCARD)
    public void publish(String body) {
        processor.onNext(body);
    }
}
