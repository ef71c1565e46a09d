package io.quarkiverse.ssechannels.it;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkiverse.ssechannels.BackendUnavailableException;

/** For every resource of the demo: with the redis backend, Redis did not answer in time. */
public class BackendUnavailable {

    /** The client may retry (the event may have been published already). */
    @ServerExceptionMapper
    public Response unavailable(BackendUnavailableException e) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, 1)
                .entity(e.getMessage()).type(MediaType.TEXT_PLAIN).build();
    }
}
