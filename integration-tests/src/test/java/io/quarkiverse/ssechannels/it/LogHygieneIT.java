package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.RawHttp;
import io.quarkiverse.ssechannels.testing.SseClient;

/**
 * The log is part of the interface: nothing a client does may make the server log at WARN or ERROR, or print a
 * stack trace, and a client that goes away costs at most one DEBUG line. The packaged demo runs with pings every
 * second, a small max-queued-bytes, this extension's DEBUG log on and Netty's paranoid leak detector, while clients
 * stall until they are cut, connect and go away (FIN or reset, before or after the head, after some events) with
 * hostile Last-Event-IDs, send malformed requests, and stay connected through the stop. Seeded: the seed is in the
 * failure message, and {@code -Dhygiene.seed=N} replays a run.
 */
public class LogHygieneIT {

    private static final long SEED = Long.getLong("hygiene.seed", 20261202L);
    private static final int CHURN_THREADS = 4;
    private static final int CYCLES_PER_THREAD = 2_500;
    private static final int STALLED = 6;

    private static final Pattern CONNECTION = Pattern.compile("SSE connection \\[(\\d+)]");
    private static final String[] PATHS = { "/sse/weather", "/sse/feed", "/sse/news", "/sse/user/u1", "/sse/user/u2",
            "/sse", "/route/sse/weather", "/multi/sse/weather" };
    private static final String[] HOSTILE_IDS = { null, "", "-", "--", ".", "..", "...", "x", "-1", "abcdefgh-",
            "abcdefgh--1", "abcdefgh-99999999999999999999999999", "abcdefgh-1.abcdefgh-2.abcdefgh-3",
            "zzzzzzzz-9223372036854775807", "é-1", "%00", "\u0001\u0002", "\u007f", "x".repeat(1025),
            "a-1.".repeat(250), "id\u0000", "12345678-1.12345678-1.12345678-1", " ", "\t-\t" };

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void nothingAClientDoesIsLoggedAboveDebug() throws Exception {
        List<String> output;
        List<String> complaints;
        Path log;
        int cycles;
        try (PackagedApp app = PackagedApp.start("-Dquarkus.sse-channels.ping-interval=1s",
                "-Dquarkus.sse-channels.max-queued-bytes=64K",
                "-Dquarkus.log.category.\"io.quarkiverse.ssechannels\".level=DEBUG")) {
            AtomicBoolean publishing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(CHURN_THREADS + 1);
            List<SseClient> readers = new ArrayList<>();
            List<Socket> stalled = new ArrayList<>();
            try {
                // readers on the channel of small events only, so that none of them is cut for lagging
                readers.add(SseClient.connect(app.uri("/sse/news")));
                readers.add(SseClient.connect(app.uri("/sse/news")));
                Future<?> publisher = pool.submit(() -> publish(app, publishing));

                // clients that stop reading while large events keep coming are cut once 64 KiB wait for them
                for (int i = 0; i < STALLED; i++) {
                    stalled.add(RawHttp.stalledClient(app.uri("/sse/weather")));
                }
                Awaitility.await("the stalled clients are cut").atMost(Duration.ofSeconds(90))
                        .until(() -> app.output().stream().filter(l -> l.contains("aborted: the client stopped reading"))
                                .count() == STALLED && count(app, "/weather/connections") == 0);

                // connect and go away, every way a client can, with and without hostile Last-Event-IDs
                AtomicInteger done = new AtomicInteger();
                List<Future<?>> churn = new ArrayList<>();
                for (int t = 0; t < CHURN_THREADS; t++) {
                    Random random = new Random(SEED + t);
                    churn.add(pool.submit(() -> {
                        for (int i = 0; i < CYCLES_PER_THREAD; i++) {
                            cycle(app, random);
                            done.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : churn) {
                    f.get();
                }
                cycles = done.get();
                malformed(app);

                publishing.set(false);
                publisher.get();
                for (SseClient reader : readers) {
                    assertFalse(reader.awaitBroken(Duration.ZERO), () -> "a reader was cut; it read: " + reader.raw());
                }
                Awaitility.await("every churned connection is gone").atMost(Duration.ofSeconds(30))
                        .until(() -> count(app, "/weather/connections") == 0 && count(app, "/news/connections") == 2);
                // the readers saw the whole run through, and stay connected through the stop
                app.stop();
            } finally {
                pool.shutdownNow();
                readers.forEach(SseClient::close);
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
            output = app.output();
            complaints = app.complaints();
            log = app.log();
        }

        String seen = "seed " + SEED + "; all the application printed is in " + log;
        assertEquals(List.of(), complaints, () -> "lines at WARN or ERROR, stack traces or buffer misuse; " + seen);

        Map<String, List<String>> byConnection = new HashMap<>();
        for (String line : output) {
            Matcher m = CONNECTION.matcher(line);
            // what a connection logs of itself; a channel may log a resume with a gap when it joins
            if (line.contains("ConnectionImpl]") && m.find()) {
                byConnection.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(line);
            }
        }
        Map<String, List<String>> chatty = byConnection.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .limit(10).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), chatty, () -> "connections that logged more than one line; " + seen);
        assertEquals(List.of(), output.stream().filter(l -> l.contains("Ending an SSE response failed")).limit(5)
                .toList(), () -> "ending a response is no news either; " + seen);
        // the paths behind the floods of old ran: clients went away (closed or reset, while events were published),
        // stalled clients were cut, and the application stopped with clients connected
        for (String ran : List.of("closed by the client", "aborted: the client stopped reading",
                "closed by the server: the application stops")) {
            assertTrue(output.stream().anyMatch(l -> l.contains(ran)), () -> "no [" + ran + "] line; " + seen);
        }
        // the DEBUG log was on and saw the clients go: the assertions above had something to judge
        assertTrue(byConnection.size() >= cycles / 2,
                () -> byConnection.size() + " connections logged for " + cycles + " cycles; " + seen);
    }

    /** Events to both channels, most small, some large enough to fill a stalled client's queue quickly. */
    private Void publish(PackagedApp app, AtomicBoolean publishing) throws Exception {
        String small = "s".repeat(100);
        String large = "L".repeat(16 * 1024);
        for (int i = 0; publishing.get(); i++) {
            post(app, i % 2 == 0 ? "/weather" : "/news", i % 4 == 0 ? large : small);
        }
        return null;
    }

    private int post(PackagedApp app, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(app.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int count(PackagedApp app, String path) throws Exception {
        return Integer.parseInt(http.send(HttpRequest.newBuilder(app.uri(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body().strip());
    }

    private static void request(Socket socket, PackagedApp app, String path, String lastEventId, boolean inQuery)
            throws IOException {
        StringBuilder request = new StringBuilder("GET ").append(path);
        if (lastEventId != null && inQuery) {
            request.append("?lastEventId=").append(URLEncoder.encode(lastEventId, StandardCharsets.UTF_8));
        }
        request.append(" HTTP/1.1\r\nHost: ").append(app.host()).append("\r\nAccept: text/event-stream\r\n");
        if (lastEventId != null && !inQuery) {
            request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One client that connects and goes away. */
    private static void cycle(PackagedApp app, Random random) throws IOException {
        String path = PATHS[random.nextInt(PATHS.length)];
        String lastEventId = HOSTILE_IDS[random.nextInt(HOSTILE_IDS.length)];
        int leave = random.nextInt(6);
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress(app.host(), app.port()));
            request(socket, app, path, lastEventId, random.nextBoolean());
            InputStream in = socket.getInputStream();
            switch (leave) {
                case 0 -> {
                    // gone before the head, with a FIN
                }
                case 1 -> socket.setSoLinger(true, 0); // gone before the head, with a reset
                case 2 -> RawHttp.readUntil(in, "\r\n\r\n");
                case 3 -> {
                    RawHttp.readUntil(in, "\r\n\r\n");
                    socket.setSoLinger(true, 0);
                }
                case 4 -> {
                    RawHttp.readUntil(in, "\n\n"); // the first frame or more
                    socket.setSoLinger(true, 0);
                }
                default -> {
                    socket.shutdownOutput(); // half-closed: the server ends the stream when it reads the FIN
                    RawHttp.readUntil(in, "\r\n\r\n");
                }
            }
        } catch (SocketException | SocketTimeoutException e) {
            // the server may reset a hostile request first: that is the server's right, not a failure of this test
        }
    }

    /** Requests no browser sends: each must be answered (or refused) without a complaint in the log. */
    private void malformed(PackagedApp app) throws Exception {
        for (String raw : List.of("GARBAGE\r\n\r\n", "GET /sse/weather HTTP/1.0\r\n\r\n",
                "GET /sse/weather?lastEventId=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /route/sse/weather?lastEventId=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /multi/sse/weather?lastEventId=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /sse/feed?x=% HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /sse/weather HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n",
                "GET /sse/weather HTTP/1.1\r\nHost: x\r\nLast-Event-ID: " + "i".repeat(9_000) + "\r\n\r\n",
                "POST /weather HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")) {
            try (Socket socket = new Socket()) {
                socket.setSoTimeout(10_000);
                socket.connect(new InetSocketAddress(app.host(), app.port()));
                socket.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
                socket.shutdownOutput();
                socket.getInputStream().readAllBytes();
            } catch (SocketException e) {
                // refused by a reset: fine
            }
        }
        // an event too large, and ids the builder refuses: answered 4xx by the demo
        assertEquals(400, post(app, "/weather", "d".repeat(600 * 1024)), "data over max-data-size");
        int badId = post(app, "/weather?id=" + URLEncoder.encode("a\nb", StandardCharsets.UTF_8), "x");
        assertEquals(400, badId, "an id with a line break");
        assertEquals(404, post(app, "/user/nobody", "x"));
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(app.uri("/sse/nothing").toString())).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }
}
