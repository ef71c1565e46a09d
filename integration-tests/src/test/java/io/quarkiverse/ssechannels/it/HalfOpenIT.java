package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that vanishes without a packet (its link goes down: no FIN, no reset) leaves a half-open socket that only
 * a write can reveal. The packaged application runs in a network namespace of its own, on a free port, with TCP
 * giving up after 3 retransmissions there ({@code net.ipv4.tcp_retries2} is per namespace, so the host is untouched);
 * the client runs in another, joined by a veth pair. With pings every 200 ms the dead connection leaves its channel
 * within seconds. Needs root and iproute2, as CI has; skipped, saying why, where network namespaces cannot be made.
 * Namespaces and links are named after this JVM's PID, and the processes started are stopped by their PIDs.
 */
public class HalfOpenIT {

    private static final long RUN = ProcessHandle.current().pid();
    private static final String SERVER_NS = "sse-it-srv-" + RUN;
    private static final String CLIENT_NS = "sse-it-cli-" + RUN;
    private static final String SERVER_LINK = "sse-s" + RUN % 1_000_000;
    private static final String CLIENT_LINK = "sse-c" + RUN % 1_000_000;
    private static final String SERVER_IP = "10.231.7.1";

    private final List<Process> processes = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private PackagedApp app;

    @BeforeEach
    void namespaces() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "HalfOpenIT needs root to make network namespaces; skipped");
        Process probe;
        try {
            probe = new ProcessBuilder("ip", "netns", "add", SERVER_NS).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "HalfOpenIT needs the ip command of iproute2; skipped: " + e.getMessage());
            return;
        }
        String refused = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "HalfOpenIT cannot make a network namespace here; skipped: " + refused);
        namespaces.add(SERVER_NS);
        run("ip", "netns", "add", CLIENT_NS);
        namespaces.add(CLIENT_NS);
    }

    @Test
    void pingsRevealAClientThatVanishedWithoutAPacket() throws Exception {
        run("ip", "link", "add", SERVER_LINK, "type", "veth", "peer", "name", CLIENT_LINK);
        run("ip", "link", "set", SERVER_LINK, "netns", SERVER_NS);
        run("ip", "link", "set", CLIENT_LINK, "netns", CLIENT_NS);
        inServer("ip", "addr", "add", SERVER_IP + "/24", "dev", SERVER_LINK);
        inClient("ip", "addr", "add", "10.231.7.2/24", "dev", CLIENT_LINK);
        inServer("ip", "link", "set", SERVER_LINK, "up");
        inClient("ip", "link", "set", CLIENT_LINK, "up");
        inServer("ip", "link", "set", "lo", "up"); // the server namespace asks its own address for counts
        inServer("sysctl", "-qw", "net.ipv4.tcp_retries2=3");

        app = PackagedApp.startUnder(List.of("ip", "netns", "exec", SERVER_NS),
                "-Dquarkus.http.host=" + SERVER_IP, "-Dquarkus.sse-channels.ping-interval=200ms");
        processes.add(new ProcessBuilder("ip", "netns", "exec", CLIENT_NS, "curl", "-sN",
                app.uri("/sse/weather").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> connections() == 1);

        inClient("ip", "link", "set", CLIENT_LINK, "down"); // the client is gone, silently
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> connections() == 0);
        assertEquals(List.of(), app.complaints(), () -> "a vanished client is no news above DEBUG: " + app.log());
    }

    @AfterEach
    void cleanUp() throws Exception {
        // "ip netns exec" execs its command, so each PID is curl's or the application's itself; whatever fails, the
        // processes are killed and the namespaces (with the links in them) deleted
        try {
            for (Process process : processes) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (app != null) {
                app.stop();
            }
        } finally {
            try {
                if (app != null) {
                    app.close();
                }
            } finally {
                for (String namespace : namespaces) {
                    new ProcessBuilder("ip", "netns", "del", namespace).start().waitFor(10, TimeUnit.SECONDS);
                }
                if (!namespaces.isEmpty()) {
                    // a link not yet moved into a namespace when a step failed (none where the test was skipped)
                    new ProcessBuilder("ip", "link", "del", SERVER_LINK).start().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private int connections() throws Exception {
        return Integer.parseInt(run("ip", "netns", "exec", SERVER_NS, "curl", "-sf",
                app.uri("/weather/connections").toString()).strip());
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

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed: " + output);
        return output;
    }
}
