package io.quarkiverse.ssechannels.benchmark.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server process under test, measured from outside: CPU time from /proc, heap after a full GC through jcmd.
 *
 * @param name the label in the results
 * @param port its HTTP port
 * @param ssePath the stream to subscribe to
 * @param publishPath where a POST broadcasts its body
 * @param pid the server's process id
 * @param replays whether it replays missed events from a Last-Event-ID (only the extension does)
 */
record Server(String name, int port, String ssePath, String publishPath, long pid, boolean replays) {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** @param spec {@code name,port,ssePath,publishPath,pid[,replays]} */
    static Server parse(String spec) {
        String[] p = spec.split(",");
        return new Server(p[0], Integer.parseInt(p[1]), p[2], p[3], Long.parseLong(p[4]),
                p.length > 5 && p[5].equals("replays"));
    }

    /** @return user plus system CPU time the process used so far, in nanoseconds */
    long cpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return TimeUnit.SECONDS.toNanos(ticks) / CLOCK_TICKS_PER_SECOND;
    }

    /** @return resident set size in bytes */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** @return heap in use right after a full GC, in bytes */
    long heapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher m = USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IOException("cannot read the heap of " + pid);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
