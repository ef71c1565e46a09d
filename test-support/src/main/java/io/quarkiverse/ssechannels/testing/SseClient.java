package io.quarkiverse.ssechannels.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client for tests: opens a real HTTP stream, keeps every byte it reads and parses the frames
 * following the WHATWG "event stream interpretation" rules (one optional space after the colon, CR, LF or CRLF line
 * ends). Every wait is bounded.
 */
public final class SseClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final StringBuffer raw = new StringBuffer();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile IOException failure;
    private volatile boolean closedByUs;
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-test-client");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Connects and returns once the response head has arrived.
     */
    public static SseClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    public static SseClient connect(URI uri, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        try {
            return new SseClient(HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                    .get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("Could not open an SSE stream to " + uri, e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public HttpHeaders headers() {
        return response.headers();
    }

    /**
     * @return the next frame (an event, a comment block, or both), waiting at most the given time
     * @throws AssertionError if none arrives in time
     */
    public Frame next(Duration timeout) {
        Frame frame = poll(timeout);
        if (frame == null) {
            throw new AssertionError("No SSE frame within " + timeout + "; bytes so far: [" + raw + "]");
        }
        return frame;
    }

    /**
     * @return the next frame, or {@code null} if none arrives within the timeout
     */
    public Frame poll(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * @return the next frame that dispatches an event, skipping comment-only frames (pings)
     */
    public Frame nextEvent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame.isEvent()) {
                return frame;
            }
        }
    }

    /**
     * @return the next {@code n} events, skipping comment-only frames
     */
    public List<Frame> nextEvents(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Frame> events = new ArrayList<>(n);
        while (events.size() < n) {
            events.add(nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
        }
        return events;
    }

    /**
     * @return the frames received and not yet taken, without waiting
     */
    public List<Frame> drain() {
        List<Frame> rest = new ArrayList<>();
        frames.drainTo(rest);
        return rest;
    }

    /**
     * @return true if the server ended the stream cleanly (the body ended, no error) within the timeout
     * @throws AssertionError if the stream broke instead (a reset, a truncated body), with what was read
     */
    public boolean awaitEnd(Duration timeout) {
        if (!await(timeout)) {
            return false;
        }
        if (failure != null) {
            throw new AssertionError("The stream broke instead of ending cleanly: " + failure + "; bytes so far: ["
                    + raw + "]", failure);
        }
        return true;
    }

    /**
     * @return true if the stream broke (a reset, a truncated body) within the timeout, rather than ending cleanly
     */
    public boolean awaitBroken(Duration timeout) {
        return await(timeout) && failure != null;
    }

    private boolean await(Duration timeout) {
        try {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return every character read so far, exactly as it came
     */
    public String raw() {
        return raw.toString();
    }

    /**
     * Drops the connection without a goodbye, as a closed browser tab does.
     */
    @Override
    public void close() {
        closedByUs = true;
        try {
            response.body().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader.interrupt();
    }

    private void read() {
        FrameParser parser = new FrameParser(frames::add);
        byte[] buffer = new byte[8192];
        try (InputStream in = response.body()) {
            java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16384);
            java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(16384);
            int n;
            while ((n = in.read(buffer)) >= 0) {
                bytes.put(buffer, 0, n).flip();
                decoder.decode(bytes, chars, false);
                bytes.compact();
                chars.flip();
                String text = chars.toString();
                chars.clear();
                raw.append(text);
                parser.feed(text);
            }
        } catch (IOException e) {
            if (!closedByUs) {
                failure = e;
            }
        } finally {
            ended.countDown();
        }
    }

    /**
     * One block of lines up to a blank line, as the client saw it.
     *
     * @param comments comment lines, without the leading colon
     * @param event the event type, or null
     * @param id the value of an id field in this block, or null
     * @param data the data (lines joined with LF), or null when the block had no data line
     * @param retry the retry field, or null
     * @param lastEventId the client's last event id after this block
     */
    public record Frame(List<String> comments, String event, String id, String data, Long retry, String lastEventId) {
        /**
         * @return true if a browser would dispatch an event for this block
         */
        public boolean isEvent() {
            return data != null;
        }
    }
}
