package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

import io.quarkiverse.ssechannels.testing.Processes;

/**
 * The packaged demo application in a JVM of its own, on a free port, with Netty's leak detector at its paranoid
 * level and everything it prints kept (in memory, and in {@code target/app-logs/}, which the build scans for buffer
 * misuse); stopped by its PID.
 */
final class PackagedApp implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://([^:/]+):(\\d+)");
    private static final Pattern LOUD = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} +(WARN|ERROR) ");
    private static final Pattern STACK_TRACE = Pattern.compile(
            "^\\s+at \\S+\\(.*\\)$|^Caused by: |^\\s+\\.\\.\\. \\d+ more$");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<String> expected = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final Path log;
    private final String host;
    private final int port;

    private PackagedApp(List<String> prefix, List<String> properties) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=0");
        command.add("-Dio.netty.leakDetection.level=paranoid");
        command.addAll(properties);
        command.addAll(List.of("-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        log = Path.of("target", "app-logs", "packaged-app-" + process.pid() + ".log");
        Files.createDirectories(log.getParent());
        CompletableFuture<URI> listening = new CompletableFuture<>();
        reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true)) {
                file.println("# " + String.join(" ", command));
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    file.println(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(URI.create("http://" + m.group(1) + ":" + m.group(2)));
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
        }, "packaged-app-output");
        reader.setDaemon(true);
        reader.start();
        try {
            URI base = listening.get(60, TimeUnit.SECONDS);
            host = base.getHost().equals("0.0.0.0") ? "localhost" : base.getHost();
            port = base.getPort();
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("The application did not start; it printed:\n" + String.join("\n", output),
                    e);
        }
    }

    /**
     * @param properties JVM options, such as {@code -Dquarkus.sse-channels.ping-interval=1s}
     */
    static PackagedApp start(String... properties) throws Exception {
        return new PackagedApp(List.of(), List.of(properties));
    }

    /**
     * Starts the application under a command that execs it, such as {@code ip netns exec <namespace>}, so that the
     * PID stopped is still the application's.
     */
    static PackagedApp startUnder(List<String> prefix, String... properties) throws Exception {
        return new PackagedApp(prefix, List.of(properties));
    }

    URI uri(String path) {
        return URI.create("http://" + host + ":" + port + path);
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** @return the response body of a POST of the text, which must be answered 2xx */
    String post(String path, String body) throws Exception {
        HttpResponse<String> response = send(path, body);
        if (response.statusCode() / 100 != 2) {
            throw new AssertionError("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** @return the response to a POST of the text, whatever its status, within 10 seconds */
    HttpResponse<String> send(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the response body of a GET, which must be answered 200 */
    String get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Suspends it (SIGSTOP to its PID): connections to it are accepted by the kernel, and wait. */
    void freeze() throws IOException, InterruptedException {
        Processes.freeze(process);
    }

    void thaw() throws IOException, InterruptedException {
        Processes.thaw(process);
    }

    /** Kills it at once (SIGKILL to its PID), as a crash would, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("The application did not die");
        }
    }

    /** Stops it gracefully (SIGTERM), waits for it to exit and for its last line to be read. */
    long stop() throws InterruptedException {
        long stopping = System.nanoTime();
        // through its handle: Process.destroy() would also close our end of its output, losing its last lines
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("The application did not stop; it printed:\n" + String.join("\n", output));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !reader.isAlive());
        return millis;
    }

    List<String> output() {
        return output;
    }

    /**
     * @return the lines it printed at WARN or ERROR, of stack traces, and of buffer misuse Netty's leak detector
     *         reported (at most 20), which nothing a client does may cause
     */
    List<String> complaints() {
        return output.stream().filter(l -> LOUD.matcher(l).find() || STACK_TRACE.matcher(l).find()
                || l.contains("LEAK:") || l.contains("IllegalReferenceCountException"))
                .filter(l -> expected.stream().noneMatch(l::contains)).limit(20).toList();
    }

    /** A loud line the test provokes on purpose is no complaint: lines with this text are left out of them. */
    void expectLoudLines(String containing) {
        expected.add(containing);
    }

    /** @return whether it printed a line with this text */
    boolean printed(String text) {
        return output.stream().anyMatch(l -> l.contains(text));
    }

    /** @return the file that keeps what it printed */
    Path log() {
        return log.toAbsolutePath();
    }

    /**
     * Stops every application (the {@code null}s skipped), then fails if any logged loudly: a complaint of one never
     * leaves the others running.
     */
    static void closeAllThenCheckQuiet(PackagedApp... apps) throws InterruptedException {
        for (PackagedApp app : apps) {
            if (app != null) {
                app.close();
            }
        }
        for (PackagedApp app : apps) {
            if (app != null) {
                assertEquals(List.of(), app.complaints(), "nothing here may be logged loudly; see " + app.log());
            }
        }
    }

    /** Kills it (by its PID) if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
