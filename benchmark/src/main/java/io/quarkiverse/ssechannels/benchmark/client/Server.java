package io.quarkiverse.ssechannels.benchmark.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What is under test, measured from outside: one server process, or several instances sharing channels through a
 * Redis server. CPU time from /proc, summed over every process that serves (the Redis server included); heap after a
 * full GC through jcmd, summed over the JVMs.
 *
 * @param name the label in the results
 * @param ports the instances' HTTP ports: streams go round-robin to them, publishes to the first
 * @param ssePath the stream to subscribe to
 * @param publishPath where a POST broadcasts its body
 * @param jvms the instances' process ids
 * @param helpers other processes that serve, counted in CPU and RSS only (a Redis server)
 * @param replays whether it replays missed events from a Last-Event-ID (only the extension does)
 * @param users whether it serves per-user streams and publishes (only the extension does)
 */
record Server(String name, List<Integer> ports, String ssePath, String publishPath, List<Long> jvms,
        List<Long> helpers, boolean replays, boolean users) {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /**
     * @param spec {@code name,port[+port...],ssePath,publishPath,pid[+pid...][,replays][,users][,helper=pid]}: the
     *        ports and process ids of the instances in the same order
     */
    static Server parse(String spec) {
        String[] p = spec.split(",");
        List<Integer> ports = Arrays.stream(p[1].split("\\+")).map(Integer::valueOf).toList();
        List<Long> jvms = Arrays.stream(p[4].split("\\+")).map(Long::valueOf).toList();
        if (ports.size() != jvms.size()) {
            throw new IllegalArgumentException("One process id per port: " + spec);
        }
        boolean replays = false;
        boolean users = false;
        List<Long> helpers = new ArrayList<>();
        for (int i = 5; i < p.length; i++) {
            if (p[i].equals("replays")) {
                replays = true;
            } else if (p[i].equals("users")) {
                users = true;
            } else if (p[i].startsWith("helper=")) {
                helpers.add(Long.valueOf(p[i].substring("helper=".length())));
            } else {
                throw new IllegalArgumentException("Unknown server flag [" + p[i] + "] in " + spec);
            }
        }
        return new Server(p[0], ports, p[2], p[3], jvms, List.copyOf(helpers), replays, users);
    }

    /** @return the port of the instance the n-th stream connects to */
    int streamPort(int n) {
        return ports.get(n % ports.size());
    }

    int publishPort() {
        return ports.get(0);
    }

    private List<Long> processes() {
        List<Long> all = new ArrayList<>(jvms);
        all.addAll(helpers);
        return all;
    }

    /** @return user plus system CPU time the processes used so far, in nanoseconds */
    long cpuNanos() throws IOException {
        long ticks = 0;
        for (long pid : processes()) {
            ticks += cpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
        }
        return TimeUnit.SECONDS.toNanos(ticks) / CLOCK_TICKS_PER_SECOND;
    }

    /**
     * @return user plus system CPU time the JVMs' JIT compiler threads used so far, in nanoseconds: part of
     *         {@link #cpuNanos()}, a cost a process pays once per method, not per connection or event (the servers run
     *         with a fixed number of compiler threads, so none of them exits and takes its count with it)
     */
    long compilerCpuNanos() throws IOException {
        long ticks = 0;
        for (long pid : jvms) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                            ticks += cpuTicks(task.resolve("stat"));
                        }
                    } catch (IOException e) {
                        // a thread that ended meanwhile (ENOENT or ESRCH): not a compiler thread, whose number is
                        // fixed
                    }
                }
            }
        }
        return TimeUnit.SECONDS.toNanos(ticks) / CLOCK_TICKS_PER_SECOND;
    }

    /** @return user plus system CPU time in a process's or a thread's {@code stat} file, in clock ticks */
    private static long cpuTicks(Path stat) throws IOException {
        String line = Files.readString(stat);
        // after the command name, which may hold spaces, in parentheses: utime and stime are the 12th and 13th
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** @return resident set size of the processes, in bytes */
    long rssBytes() throws IOException {
        long rss = 0;
        for (long pid : processes()) {
            rss += rssBytes(pid);
        }
        return rss;
    }

    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** @return heap in use in the JVMs right after a full GC, in bytes */
    long heapAfterGc() throws IOException, InterruptedException {
        long heap = 0;
        for (long pid : jvms) {
            jcmd(pid, "GC.run");
            Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
            if (!m.find()) {
                throw new IOException("cannot read the heap of " + pid);
            }
            heap += Long.parseLong(m.group(1)) * 1024;
        }
        return heap;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
