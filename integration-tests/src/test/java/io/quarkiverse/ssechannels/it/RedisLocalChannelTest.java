package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelOptions;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * With the redis backend, a channel made with {@code newChannel} stays in this instance: a client that connects
 * without a last event id still gets everything published to it after the response head, as in the memory mode
 * (its stamps are this instance's, not Redis's clock).
 */
@QuarkusTest
@QuarkusTestResource(value = RedisOnEventLoopTest.Redis.class, restrictToAnnotatedClass = true)
public class RedisLocalChannelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Opens the stream, then waits for the test before it joins the local channel. */
    @Path("/test/late-local")
    public static class LateJoin {

        static volatile CountDownLatch joinNow;
        static volatile Channel channel;

        @Inject
        SseChannels sse;

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void late(@Context SseEventSink sink) throws InterruptedException {
            Connection connection = sse.open(sink);
            assertTrue(joinNow.await(10, TimeUnit.SECONDS));
            connection.join(channel);
        }
    }

    @TestHTTPResource("/test/late-local")
    URI late;

    @Inject
    SseChannels sse;

    @Test
    void aLocalChannelDeliversWhatIsPublishedAfterTheHead() throws Exception {
        LateJoin.channel = sse.newChannel("local", ChannelOptions.of(10, Duration.ofMinutes(10)));
        LateJoin.channel.send(SseMessage.data("before the head"));
        LateJoin.joinNow = new CountDownLatch(1);
        try (SseClient client = SseClient.connect(late)) {
            // the head is here; the resource method still waits to join
            LateJoin.channel.send(SseMessage.data("after the head"));
            LateJoin.joinNow.countDown();
            assertEquals("after the head", client.nextEvent(WAIT).data(), () -> "the client read: " + client.raw());
        }
    }
}
