package io.quarkiverse.ssechannels.test.delivery;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelOptions;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.Resume;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A client that resumes with its last event id gets exactly what it missed, and is told when that cannot be so.
 */
public class ExactResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Lives.class))
            .overrideConfigKey("quarkus.http.test-port", "0");

    @TestHTTPResource("/streams/channels/")
    URI channels;

    @TestHTTPResource("/lives")
    URI lives;

    @Inject
    SseChannels sse;

    @Test
    void callerIdsAreResolvedOnlyInTheChannelThatPublishedThem() {
        Channel weather = sse.channel("weather");
        Channel news = sse.channel("news");
        for (String id : List.of("1", "2", "3")) {
            weather.send(SseMessage.builder().id(id).data("w" + id).build());
        }
        news.send(SseMessage.builder().id("2").data("n2").build());
        try (SseClient client = SseClient.connect(URI.create(channels + "weather"), Map.of("Last-Event-ID", "2"))) {
            SseClient.Frame missed = client.nextEvent(WAIT);
            assertEquals("w3", missed.data());
            assertEquals("3", missed.id(), "caller ids go out as given");
            assertEquals(Resume.EXACT, Streams.newest().resume());
        }
    }

    /** A caller id repeated within a channel resumes after its newest occurrence the history still holds. */
    @Test
    void aRepeatedCallerIdResumesAfterItsNewestOccurrence() {
        Channel channel = sse.channel("repeating");
        channel.send(SseMessage.builder().id("same").data("r1").build());
        channel.send(SseMessage.builder().id("other").data("r2").build());
        channel.send(SseMessage.builder().id("same").data("r3").build());
        channel.send(SseMessage.builder().id("last").data("r4").build());
        try (SseClient client = SseClient.connect(URI.create(channels + "repeating"),
                Map.of("Last-Event-ID", "same"))) {
            assertEquals("r4", client.nextEvent(WAIT).data());
            assertEquals(Resume.EXACT, Streams.newest().resume());
            channel.send(SseMessage.data("r5"));
            assertEquals("r5", client.nextEvent(WAIT).data(), "nothing else came before the live event");
        }
    }

    /**
     * A restart gives every channel a new epoch: a client that comes back with an id of the previous process gets
     * everything the new one holds, and is told of the gap, instead of having its id taken for a current one.
     */
    @Test
    void idsOfAnEarlierProcessAreNeverTakenForCurrentOnes() {
        Lives.current = sse.newChannel("restarting", ChannelOptions.of(100, Duration.ZERO));
        List<String> before = Streams.sendAll(Lives.current, "a1", "a2", "a3");
        String lastSeen;
        try (SseClient client = SseClient.connect(lives)) {
            awaitSize(Lives.current, 1);
            List<String> after = Streams.sendAll(Lives.current, "a4");
            lastSeen = client.nextEvent(WAIT).lastEventId();
            assertEquals(after.get(0), lastSeen);
        }
        Lives.current.close();
        // the next process: the same channel name, a fresh log, 8 events while the client is away
        Lives.current = sse.newChannel("restarting", ChannelOptions.of(100, Duration.ZERO));
        List<String> published = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            published.add("b" + i);
            ids.add(Lives.current.send(SseMessage.data("b" + i)));
        }
        assertTrue(Collections.disjoint(before, ids), "no id repeats across processes: " + before + " " + ids);
        try (SseClient client = SseClient.connect(lives, Map.of("Last-Event-ID", lastSeen))) {
            assertEquals(published, data(client.nextEvents(8, WAIT)));
            assertEquals(Resume.GAP, Streams.newest().resume());
        }
    }

    /**
     * A stream is told its position when it starts, without an event: a client whose first stream ends before
     * anything is published resumes from where it began.
     */
    @Test
    void aStreamWithoutEventsStillGivesTheClientItsPosition() {
        Channel quiet = sse.channel("quiet");
        quiet.send(SseMessage.data("before the client"));
        String position;
        try (SseClient client = SseClient.connect(URI.create(channels + "quiet"))) {
            SseClient.Frame first = client.next(WAIT);
            assertFalse(first.isEvent(), "it dispatches nothing: " + client.raw());
            assertNull(first.event());
            assertNotNull(first.id());
            position = first.lastEventId();
            assertEquals(Resume.NONE, Streams.newest().resume());
        }
        awaitSize(quiet, 0);
        List<String> missed = Streams.sendAll(quiet, "q1", "q2");
        try (SseClient client = SseClient.connect(URI.create(channels + "quiet"), Map.of("Last-Event-ID", position))) {
            List<SseClient.Frame> events = client.nextEvents(2, WAIT);
            assertEquals(List.of("q1", "q2"), data(events));
            assertEquals(missed, events.stream().map(SseClient.Frame::id).toList());
            assertEquals(Resume.EXACT, Streams.newest().resume());
        }
    }

    /**
     * Once the client has the response head, it gets every event published to its channels, even one published
     * before the resource method got round to joining them.
     */
    @Test
    void everythingPublishedAfterTheHeadArrives() throws Exception {
        Channel late = sse.channel("late");
        late.send(SseMessage.data("before the head"));
        Lives.joinNow = new CountDownLatch(1);
        try (SseClient client = SseClient.connect(URI.create(lives + "/late"))) {
            // the head is here; the resource method still waits to join
            late.send(SseMessage.data("after the head"));
            Lives.joinNow.countDown();
            assertEquals("after the head", client.nextEvent(WAIT).data());
            late.send(SseMessage.data("live"));
            assertEquals("live", client.nextEvent(WAIT).data());
            assertEquals(Resume.NONE, Streams.newest().resume());
        }
    }

    /** A resume with a gap gets the application's snapshot before anything replayed, however much there is. */
    @Test
    void theSnapshotOfAGapComesBeforeTheReplay() {
        Channel held = sse.channel("snapshots");
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            published.add("s" + i);
            held.send(SseMessage.data("s" + i));
        }
        for (int round = 0; round < 5; round++) {
            try (SseClient client = SseClient.connect(URI.create(lives + "/snapshot"),
                    Map.of("Last-Event-ID", "from-another-life"))) {
                SseClient.Frame first = client.nextEvent(WAIT);
                assertEquals("snapshot", first.event(), "round " + round + ": " + client.raw());
                assertEquals(published, data(client.nextEvents(300, WAIT)));
            }
        }
        try (SseClient client = SseClient.connect(URI.create(lives + "/snapshot"))) {
            awaitSize(held, 1);
            held.send(SseMessage.data("live"));
            assertEquals("live", client.nextEvent(WAIT).data(), "no snapshot without a gap");
        }
    }

    /** A connection removed from a channel and added again goes on from where it left: nothing twice. */
    @Test
    void addingAConnectionAgainContinuesWhereItLeft() {
        Channel topic = sse.channel("topic");
        try (SseClient client = SseClient.connect(URI.create(channels + "topic"))) {
            awaitSize(topic, 1);
            Connection connection = Streams.newest();
            topic.send(SseMessage.data("t1"));
            assertEquals("t1", client.nextEvent(WAIT).data());
            topic.remove(connection);
            assertEquals(0, topic.size());
            topic.send(SseMessage.data("t2 while out"));
            assertTrue(topic.add(connection));
            topic.send(SseMessage.data("t3"));
            assertEquals(List.of("t2 while out", "t3"), data(client.nextEvents(2, WAIT)));
            assertEquals(Resume.NONE, connection.resume());
        }
    }

    /** A channel joined later in a stream's life starts at its end: its history is not the client's business. */
    @Test
    void aChannelJoinedLaterStartsLive() {
        Channel first = sse.channel("first");
        Channel later = sse.channel("later");
        later.send(SseMessage.data("old news"));
        try (SseClient client = SseClient.connect(URI.create(channels + "first"))) {
            awaitSize(first, 1);
            Connection connection = Streams.newest();
            later.send(SseMessage.data("still before the join"));
            assertTrue(connection.join(later));
            later.send(SseMessage.data("after the join"));
            assertEquals("after the join", client.nextEvent(WAIT).data());
            assertEquals(Resume.NONE, connection.resume());
        }
    }

    @Path("/lives")
    public static class Lives {
        static volatile Channel current;
        static volatile CountDownLatch joinNow;

        @Inject
        SseChannels sse;

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void current(@Context SseEventSink sink) {
            Connection connection = sse.open(sink);
            Streams.OPENED.put(connection.id(), connection);
            connection.join(current);
        }

        @GET
        @Path("/snapshot")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void snapshot(@Context SseEventSink sink) {
            Connection connection = sse.open(sink);
            connection.join(resume -> resume == Resume.GAP
                    ? SseMessage.builder().event("snapshot").data("the state now").build()
                    : null, sse.channel("snapshots"));
        }

        @GET
        @Path("/late")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void late(@Context SseEventSink sink) throws InterruptedException {
            Connection connection = sse.open(sink);
            Streams.OPENED.put(connection.id(), connection);
            joinNow.await(10, TimeUnit.SECONDS);
            connection.join(sse.channel("late"));
        }
    }
}
