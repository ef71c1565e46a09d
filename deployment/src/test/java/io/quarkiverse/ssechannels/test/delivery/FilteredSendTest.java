package io.quarkiverse.ssechannels.test.delivery;

import static io.quarkiverse.ssechannels.test.Streams.awaitSize;
import static io.quarkiverse.ssechannels.test.Streams.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.Connection;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.SseMessage;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.test.Multis;
import io.quarkiverse.ssechannels.test.Routes;
import io.quarkiverse.ssechannels.test.Streams;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * A filtered send reaches only the connections its filter admits, live and when a client resumes: the filter is
 * asked again for the new connection, so a client never gets on a reconnection what it was kept from. Connections
 * carry the attributes the application set when it opened them, and no identity without authentication. A store's
 * max-connections caps each of its channels.
 */
public class FilteredSendTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Predicate<Connection> RED = c -> "red".equals(c.attributes().get("team"));

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Streams.class, Routes.class, Multis.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.sse-channels.stores.users.max-connections", "2");

    @TestHTTPResource("/")
    URI root;

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("users")
    TemporaryChannels<String> users;

    @Test
    void aFilteredEventReachesOnlyTheConnectionsItAdmitsLiveAndOnResume() {
        Channel channel = sse.channel("filtered");
        String first;
        try (SseClient red = team("red", channel); SseClient blue = team("blue", channel)) {
            awaitSize(channel, 2);
            first = channel.send(SseMessage.data("all-1"));
            channel.send(SseMessage.data("red-only"), RED);
            channel.send(SseMessage.data("all-2"));
            assertEquals(List.of("all-1", "red-only", "all-2"), data(red.nextEvents(3, WAIT)), red.raw());
            // in publish order: had blue got the filtered event, it would come second
            assertEquals(List.of("all-1", "all-2"), data(blue.nextEvents(2, WAIT)), blue.raw());
        }
        awaitSize(channel, 0);
        // back from the first event: replayed what the filter admits for the new connection
        try (SseClient blue = team("blue", Map.of("Last-Event-ID", first), channel);
                SseClient red = team("red", Map.of("Last-Event-ID", first), channel)) {
            assertEquals(List.of("red-only", "all-2"), data(red.nextEvents(2, WAIT)), red.raw());
            assertEquals("all-2", blue.nextEvent(WAIT).data(), blue.raw());
        }
    }

    /** Over two channels the connection's cursor moves past the event it was kept from, in both. */
    @Test
    void aConnectionInSeveralChannelsResumesPastWhatItWasKeptFrom() {
        Channel weather = sse.channel("filtered-weather");
        Channel news = sse.channel("filtered-news");
        String seen;
        try (SseClient blue = team("blue", weather, news)) {
            awaitSize(weather, 1);
            awaitSize(news, 1);
            news.send(SseMessage.data("n1"));
            weather.send(SseMessage.data("w-red"), RED);
            news.send(SseMessage.data("n2"));
            List<SseClient.Frame> events = blue.nextEvents(2, WAIT);
            assertEquals(List.of("n1", "n2"), data(events), blue.raw());
            seen = events.get(0).lastEventId();
        }
        awaitSize(weather, 0);
        weather.send(SseMessage.data("w1"));
        try (SseClient blue = team("blue", Map.of("Last-Event-ID", seen), weather, news)) {
            assertEquals(List.of("n2", "w1"), data(blue.nextEvents(2, WAIT)), blue.raw());
        }
    }

    /** A filter that throws keeps the event from the connection it failed for; the others and later events go on. */
    @Test
    void aFilterThatThrowsKeepsTheEventAway() {
        Channel channel = sse.channel("filtered-failing");
        try (SseClient red = team("red", channel); SseClient blue = team("blue", channel)) {
            awaitSize(channel, 2);
            channel.send(SseMessage.data("for red"), redElse(() -> {
                throw new IllegalStateException("a filter's bug");
            }));
            channel.send(SseMessage.data("after"));
            assertEquals(List.of("for red", "after"), data(red.nextEvents(2, WAIT)), red.raw());
            assertEquals("after", blue.nextEvent(WAIT).data(), blue.raw());
        }
    }

    /**
     * A filter that overflows its stack (an error no filter failure is turned into: a virtual machine error) cuts the
     * connection it failed for, which would otherwise stay stuck with its frames pending; the others go on.
     */
    @Test
    void aFilterThatOverflowsItsStackCutsTheConnectionItFailedFor() {
        Channel channel = sse.channel("filtered-overflowing");
        try (SseClient red = team("red", channel); SseClient blue = team("blue", channel)) {
            awaitSize(channel, 2);
            channel.send(SseMessage.data("for red"), redElse(() -> {
                throw new StackOverflowError("a filter's recursion");
            }));
            channel.send(SseMessage.data("after"));
            assertEquals(List.of("for red", "after"), data(red.nextEvents(2, WAIT)), red.raw());
            assertTrue(blue.awaitBroken(WAIT), blue.raw());
            awaitSize(channel, 1);
        }
    }

    /** @return a filter that admits the red team and runs the failure, which throws, for any other connection */
    private static Predicate<Connection> redElse(Runnable failure) {
        return c -> {
            if (!RED.test(c)) {
                failure.run();
            }
            return true;
        };
    }

    @Test
    void onlyEventsCanBeFilteredAndConnectionsCarryTheirAttributes() {
        Channel channel = sse.channel("filtered-misc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> channel.send(SseMessage.comment("x"), RED));
        assertTrue(e.getMessage().contains("needs an event"), e.getMessage());
        List<Object> seenByListener = new CopyOnWriteArrayList<>();
        try (SseClient red = team("red", channel)) {
            awaitSize(channel, 1);
            Connection connection = Streams.newest();
            assertEquals("red", connection.attributes().get("team"));
            assertTrue(connection.identity().isEmpty(), "no identity without authentication");
            connection.onClose(c -> seenByListener.add(c.attributes().get("team")));
            channel.send(SseMessage.data("plain"), null);
            assertEquals("plain", red.nextEvent(WAIT).data(), red.raw());
        }
        Awaitility.await().atMost(WAIT).until(() -> seenByListener.equals(List.of("red")));
    }

    /** Two streams per key at most: a third one that joins is told to come back later, and its stream ends. */
    @Test
    void aStoresMaxConnectionsCapsEachOfItsChannels() {
        URI alice = root.resolve("streams/user/capped-alice");
        try (SseClient first = SseClient.connect(alice); SseClient second = SseClient.connect(alice)) {
            Awaitility.await().atMost(WAIT).until(() -> users.get("capped-alice").map(Channel::size).orElse(0) == 2);
            try (SseClient third = SseClient.connect(alice)) {
                assertTrue(third.awaitEnd(WAIT), third.raw());
                assertTrue(third.raw().contains("retry:"), third.raw());
            }
            try (SseClient bob = SseClient.connect(root.resolve("streams/user/capped-bob"))) {
                Awaitility.await().atMost(WAIT).until(() -> users.get("capped-bob").map(Channel::size).orElse(0) == 1);
            }
            assertEquals(2, users.get("capped-alice").orElseThrow().size());
        }
    }

    private SseClient team(String team, Channel... channels) {
        return team(team, Map.of(), channels);
    }

    private SseClient team(String team, Map<String, String> headers, Channel... channels) {
        StringBuilder names = new StringBuilder();
        for (Channel channel : channels) {
            names.append(names.isEmpty() ? "" : ",").append(channel.name());
        }
        return SseClient.connect(root.resolve("streams/team/" + team + "/" + names), headers);
    }
}
