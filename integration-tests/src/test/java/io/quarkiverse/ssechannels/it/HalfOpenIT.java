package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that vanishes without a packet (its link goes down: no FIN, no reset) leaves a half-open socket that only
 * a write can reveal. The packaged application runs in a network namespace of its own, with TCP giving up after 3
 * retransmissions there ({@code net.ipv4.tcp_retries2} is per namespace, so the host is untouched); the client runs
 * in another, joined by a veth pair. With pings every 200 ms the dead connection leaves its channel within seconds;
 * without pings nothing would ever be written, and it would stay. Needs root and iproute2, as CI has.
 */
public class HalfOpenIT {

    private static final String SERVER_NS = "sse-it-srv";
    private static final String CLIENT_NS = "sse-it-cli";
    private static final String SERVER_IP = "10.231.7.1";
    private static final String BASE = "http://" + SERVER_IP + ":8089";

    private final List<Process> processes = new ArrayList<>();

    @Test
    void pingsRevealAClientThatVanishedWithoutAPacket() throws Exception {
        run("ip", "netns", "add", SERVER_NS);
        run("ip", "netns", "add", CLIENT_NS);
        run("ip", "link", "add", "sse-it-s", "type", "veth", "peer", "name", "sse-it-c");
        run("ip", "link", "set", "sse-it-s", "netns", SERVER_NS);
        run("ip", "link", "set", "sse-it-c", "netns", CLIENT_NS);
        inServer("ip", "addr", "add", SERVER_IP + "/24", "dev", "sse-it-s");
        inClient("ip", "addr", "add", "10.231.7.2/24", "dev", "sse-it-c");
        inServer("ip", "link", "set", "sse-it-s", "up");
        inClient("ip", "link", "set", "sse-it-c", "up");
        inServer("ip", "link", "set", "lo", "up"); // the server namespace asks its own address for counts
        inServer("sysctl", "-qw", "net.ipv4.tcp_retries2=3");

        start(List.of("ip", "netns", "exec", SERVER_NS,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.host=" + SERVER_IP, "-Dquarkus.http.port=8089",
                "-Dquarkus.sse-channels.ping-interval=200ms",
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> connections(CLIENT_NS) == 0);
        start(List.of("ip", "netns", "exec", CLIENT_NS, "curl", "-sN", BASE + "/sse/weather"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> connections(SERVER_NS) == 1);

        inClient("ip", "link", "set", "sse-it-c", "down"); // the client is gone, silently
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> connections(SERVER_NS) == 0);
    }

    @AfterEach
    void cleanUp() throws Exception {
        // "ip netns exec" execs its command, so each PID here is the server's JVM or curl itself; anything they
        // started is stopped by PID too, before their namespaces go
        for (Process process : processes) {
            List<ProcessHandle> started = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            started.forEach(ProcessHandle::destroyForcibly);
        }
        new ProcessBuilder("ip", "netns", "del", SERVER_NS).start().waitFor(10, TimeUnit.SECONDS);
        new ProcessBuilder("ip", "netns", "del", CLIENT_NS).start().waitFor(10, TimeUnit.SECONDS);
    }

    private int connections(String namespace) throws Exception {
        return Integer.parseInt(run("ip", "netns", "exec", namespace, "curl", "-sf", BASE + "/weather/connections")
                .strip());
    }

    private void inServer(String... command) throws Exception {
        run(prepend(SERVER_NS, command));
    }

    private void inClient(String... command) throws Exception {
        run(prepend(CLIENT_NS, command));
    }

    private static String[] prepend(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }

    private void start(List<String> command) throws IOException {
        processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        assertEquals(0, process.exitValue(),
                () -> String.join(" ", command) + " failed (this test needs root and iproute2): " + output);
        return output;
    }
}
