package io.quarkiverse.ssechannels.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Node.js client from the module's {@code src/test/js} (its packages installed by the build's {@code npm ci}), run
 * as a child process whose JSON output lines the test reads as they come, and to which it can write lines.
 */
public final class NodeProcess implements AutoCloseable {

    private static final Path SCRIPTS = Path.of("src", "test", "js");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final List<String> other = new CopyOnWriteArrayList<>();

    public NodeProcess(String script, String... args) throws IOException {
        if (!Files.isDirectory(SCRIPTS.resolve("node_modules"))) {
            throw new IllegalStateException("Run 'npm ci' in " + SCRIPTS.toAbsolutePath() + " (the Maven build does)");
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("{")) {
                        lines.add(JSON.readTree(line));
                    } else {
                        other.add(line);
                    }
                }
            } catch (IOException e) {
                other.add(e.toString());
            }
        }, script);
        reader.setDaemon(true);
        reader.start();
    }

    /** @return the values of the given field, in the order the lines came */
    public List<String> values(String field) {
        return lines.stream().filter(l -> l.has(field)).map(l -> l.get(field).asText()).toList();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Writes a line to the process's standard input. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /**
     * Waits for the condition; a timeout, or the process exiting first (a browser that cannot start), fails with what
     * the process reported.
     */
    public void await(Duration atMost, Callable<Boolean> condition) {
        try {
            Awaitility.await().atMost(atMost).until(() -> {
                if (condition.call()) {
                    return true;
                }
                if (!isAlive()) {
                    throw new AssertionError("The client exited; it reported:\n" + transcript());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; the client reported:\n" + transcript(), e);
        }
    }

    /** @return everything the process printed, for failure messages */
    public String transcript() {
        return lines + "\n" + String.join("\n", other) + (process.isAlive() ? "" : "\nexit " + process.exitValue());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
