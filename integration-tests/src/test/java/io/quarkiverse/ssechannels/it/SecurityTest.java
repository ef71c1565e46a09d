package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.WAIT;
import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The demo's {@code /secure} streams with real HTTP Basic credentials: refused before any stream without them,
 * each user reading their own channel only, and a role filter that keeps an event from connections without the role,
 * live and on a reconnection.
 */
@QuarkusTest
public class SecurityTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    SseChannels sse;

    @Inject
    @ChannelStore("private")
    TemporaryChannels<String> privateChannels;

    @Inject
    @ChannelName("announcements")
    Channel announcements;

    /**
     * Every way of opening the private stream: a resource method, a returned Multi, a reactive route, and a plain
     * Vert.x route behind an HTTP permission.
     */
    static List<String> privateStreams() {
        return List.of("/secure/sse/me", "/secure/multi/sse/me", "/secure/route/sse/me", "/secure/router/sse/me");
    }

    @ParameterizedTest
    @MethodSource("privateStreams")
    void withoutValidCredentialsNoStreamStarts(String path) throws Exception {
        // the streams of earlier tests are over, so that any stream a refused request opened shows
        Awaitility.await("no stream open").atMost(WAIT).until(() -> sse.openConnections() == 0);
        for (Map<String, String> headers : List.of(Map.<String, String> of(), basic("alice", "wrong-password"),
                basic("nobody", "alice-password"))) {
            HttpResponse<String> response = get(path, headers);
            assertEquals(401, response.statusCode(), path + " " + headers + ": " + response.body());
            assertFalse(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                    response.headers().toString());
        }
        assertEquals(0, sse.openConnections(), "nothing kept for a refused request");
        assertTrue(privateChannels.get("alice").isEmpty() || privateChannels.get("alice").get().size() == 0);
    }

    @ParameterizedTest
    @MethodSource("privateStreams")
    void eachUserReadsTheirOwnChannelOnly(String path) {
        try (SseClient alice = SseClient.connect(uri(path), basic("alice", "alice-password"));
                SseClient bob = SseClient.connect(uri(path), basic("bob", "bob-password"))) {
            assertEquals(200, alice.status(), alice.raw());
            awaitMembers("alice", 1);
            awaitMembers("bob", 1);
            assertEquals(202, publish("/secure/user/bob", "for bob", basic("newsroom", "newsroom-password")));
            assertEquals(202, publish("/secure/user/alice", "for alice", basic("newsroom", "newsroom-password")));
            assertEquals("for alice", alice.nextEvent(WAIT).data(), alice.raw());
            assertEquals("for bob", bob.nextEvent(WAIT).data(), bob.raw());
            assertEquals(List.of(), alice.drain().stream().filter(SseClient.Frame::isEvent).toList());
        }
        awaitMembers("alice", 0);
        awaitMembers("bob", 0);
    }

    /** These streams take the role user: a publisher without it is refused before any stream starts. */
    @ParameterizedTest
    @ValueSource(strings = { "/secure/sse/announcements", "/secure/multi/sse/me", "/secure/route/sse/me" })
    void aStreamThatTakesARoleIsRefusedWithoutIt(String path) throws Exception {
        Awaitility.await("no stream open").atMost(WAIT).until(() -> sse.openConnections() == 0);
        HttpResponse<String> response = get(path, basic("newsroom", "newsroom-password"));
        assertEquals(403, response.statusCode(), path + ": " + response.body());
        assertEquals(0, sse.openConnections(), "nothing kept for a refused request");
        assertEquals(0, announcements.size());
        assertTrue(privateChannels.get("newsroom").isEmpty());
    }

    /** Authentication is asked for where an endpoint needs it: the open ones ignore credentials, even wrong ones. */
    @Test
    void theOpenEndpointsStayOpen() throws Exception {
        Map<String, String> wrong = basic("alice", "wrong-password");
        try (SseClient client = SseClient.connect(uri("/sse/weather"), wrong)) {
            assertEquals(200, client.status(), client.raw());
            DemoContractTest.awaitCount("/weather/connections", 1);
            assertEquals(202, publish("/weather", "open to all", wrong));
            assertEquals("open to all", client.nextEvent(WAIT).data(), client.raw());
        }
    }

    @Test
    void publishingTakesThePublisherRole() throws Exception {
        assertEquals(401, publish("/secure/user/alice", "x", Map.of()));
        assertEquals(403, publish("/secure/user/bob", "from alice", basic("alice", "alice-password")));
        assertEquals(403, publish("/secure/announcements", "from bob", basic("bob", "bob-password")));
    }

    @Test
    void aRoleFilterKeepsAnEventFromConnectionsWithoutTheRoleLiveAndOnReconnection() throws Exception {
        Map<String, String> newsroom = basic("newsroom", "newsroom-password");
        String before;
        try (SseClient alice = SseClient.connect(uri("/secure/sse/announcements"), basic("alice", "alice-password"));
                SseClient bob = SseClient.connect(uri("/secure/sse/announcements"), basic("bob", "bob-password"))) {
            Awaitility.await().atMost(WAIT).until(() -> announcements.size() == 2);
            before = publishId("/secure/announcements", "before", newsroom);
            publishId("/secure/announcements?role=admin", "for admins", newsroom);
            publishId("/secure/announcements", "for all", newsroom);
            assertEquals(List.of("before", "for admins", "for all"), data(bob.nextEvents(3, WAIT)), bob.raw());
            // in publish order: had alice got the filtered event, it would come second
            assertEquals(List.of("before", "for all"), data(alice.nextEvents(2, WAIT)), alice.raw());
        }
        Awaitility.await().atMost(WAIT).until(() -> announcements.size() == 0);
        // back from before the filtered event: it is replayed to the administrator only
        try (SseClient alice = SseClient.connect(uri("/secure/sse/announcements"),
                with(basic("alice", "alice-password"), "Last-Event-ID", before));
                SseClient bob = SseClient.connect(uri("/secure/sse/announcements"),
                        with(basic("bob", "bob-password"), "Last-Event-ID", before))) {
            assertEquals(List.of("for admins", "for all"), data(bob.nextEvents(2, WAIT)), bob.raw());
            assertEquals("for all", alice.nextEvent(WAIT).data(), alice.raw());
        }
    }

    private void awaitMembers(String user, int members) {
        Awaitility.await(user + " has " + members + " streams").atMost(WAIT)
                .until(() -> privateChannels.get(user).map(Channel::size).orElse(0) == members);
    }

    private static List<String> data(List<SseClient.Frame> frames) {
        return frames.stream().map(SseClient.Frame::data).toList();
    }

    static Map<String, String> basic(String user, String password) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new HashMap<>(headers);
        all.put(name, value);
        return all;
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Accept", "text/event-stream")
                .timeout(WAIT);
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int publish(String path, String body, Map<String, String> headers) {
        var request = given().body(body).contentType("text/plain");
        headers.forEach(request::header);
        return request.post(path).statusCode();
    }

    private static String publishId(String path, String body, Map<String, String> headers) {
        var request = given().body(body).contentType("text/plain");
        headers.forEach(request::header);
        return request.post(path).then().statusCode(202).extract().asString();
    }
}
