package io.quarkiverse.ssechannels.benchmark.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the results: {@code results.adoc} (tables, and the ratios of the first server to each other one, included by
 * the documentation's benchmark page), {@code results.json}, and {@code fanout.svg} (throughput and p99 latency
 * against connections).
 */
final class Report {

    private static final String[] COLOURS = { "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
            "#e377c2", "#17becf" };

    private final Map<String, Map<String, Object>> results;
    private final String subject;

    Report(Map<String, Map<String, Object>> results, String subject) {
        this.results = results;
        this.subject = subject;
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("results.json"), json(results) + "\n");
        Files.writeString(dir.resolve("results.adoc"), asciidoc(markdown()));
        Files.writeString(dir.resolve("fanout.svg"), svg());
        System.out.println(markdown());
    }

    /** Markdown pipe tables become AsciiDoc tables; everything else is left as it is. */
    private static String asciidoc(String markdown) {
        StringBuilder adoc = new StringBuilder();
        boolean inTable = false;
        for (String line : markdown.split("\n", -1)) {
            boolean row = line.startsWith("|");
            if (row && !inTable) {
                adoc.append("[options=\"header\"]\n|===\n");
            } else if (!row && inTable) {
                adoc.append("|===\n");
            }
            inTable = row;
            if (!line.matches("\\|[-:|]+\\|")) {
                // a Markdown row ends with a pipe, which AsciiDoc would read as one more, empty cell
                adoc.append(row ? line.replaceAll("\\s*\\|$", "") : line).append('\n');
            }
        }
        return adoc.toString();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> sweep(String server) {
        Object rows = results.get(server).get("throughput");
        return rows == null ? List.of() : (List<Map<String, Object>>) rows;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(String server, String name) {
        return (Map<String, Object>) results.get(server).get(name);
    }

    private static double num(Map<String, Object> row, String key) {
        return ((Number) row.get(key)).doubleValue();
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Throughput (8 POSTs in flight, so events are published concurrently; 100-byte events):\n\n");
        md.append("| server | connections | deliveries/s | lost | duplicates | p50 µs | p99 µs | max µs | server CPU µs/delivery |\n");
        md.append("|---|---:|---:|---:|:-:|---:|---:|---:|---:|\n");
        for (String server : results.keySet()) {
            for (Map<String, Object> row : sweep(server)) {
                md.append(row(server, row));
            }
        }
        for (String server : results.keySet()) {
            Object error = results.get(server).get("error");
            if (error != null) {
                md.append("\n").append(server).append(" failed during the run, which stopped measuring it: ")
                        .append(error).append('\n');
            }
        }
        md.append("\nLatency at a fixed rate below saturation (the median of three runs by p99):\n\n");
        md.append("| server | connections | events/s | deliveries/s | lost | in order | p50 µs | p99 µs | max µs | server CPU µs/delivery | p99 µs of each run |\n");
        md.append("|---|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---|\n");
        for (String server : results.keySet()) {
            Map<String, Object> l = section(server, "latency");
            if (l == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %s | %d | %d | %d | %.1f | %s |%n", server,
                    (int) num(l, "connections"), (int) num(l, "eventsPerSecond"), (long) num(l, "deliveriesPerSecond"),
                    (long) num(l, "lost"), l.get("inOrder"), (long) num(l, "p50Micros"), (long) num(l, "p99Micros"),
                    (long) num(l, "maxMicros"), num(l, "cpuNanosPerDelivery") / 1000, l.get("p99MicrosEachRun")));
        }
        md.append("\nSerial publishing (one POST at a time, each sent once the previous one was answered):\n\n");
        md.append("| server | connections | deliveries/s | lost | duplicates | p50 µs | p99 µs | max µs | server CPU µs/delivery |\n");
        md.append("|---|---:|---:|---:|:-:|---:|---:|---:|---:|\n");
        for (String server : results.keySet()) {
            Map<String, Object> serial = section(server, "serial");
            if (serial != null) {
                md.append(row(server, serial));
            }
        }
        md.append("\nPer-user channels (a temporary channel per user with 1 to 5 connections each, one POST at a time, "
                + "each to a random user):\n\n");
        md.append("| server | users | connections | events | deliveries/s | lost | duplicates | in order | p50 µs "
                + "| p99 µs | server CPU µs/delivery |\n|---|---:|---:|---:|---:|---:|:-:|:-:|---:|---:|---:|\n");
        for (String server : results.keySet()) {
            Map<String, Object> u = section(server, "users");
            if (u != null) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %s | %d | %d | %.1f |%n",
                        server, (int) num(u, "users"), (int) num(u, "connections"), (int) num(u, "events"),
                        (long) num(u, "deliveriesPerSecond"), (long) num(u, "lost"), (long) num(u, "duplicates"),
                        u.get("inOrder"), (long) num(u, "p50Micros"), (long) num(u, "p99Micros"),
                        num(u, "cpuNanosPerDelivery") / 1000));
            }
        }
        md.append("\nAccepting connections opened at once (server CPU and wall time until every head arrived, plus a "
                + "quiet second), first into a server that has served the warm-up and the latency workload, then "
                + "into a warm one (after four more bursts of as many connections, opened and closed, and the "
                + "server's CPU quiet again); each CPU time also without "
                + "the JIT compiler threads' (compiling is paid once per method, and the first burst still pays a "
                + "large part of it); then memory with the first burst's connections idle (after a full GC):\n\n"
                + "| server | connections | accept CPU s | without JIT s | warm: CPU s | warm: without JIT s "
                + "| accept wall s | heap/connection | RSS/connection |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String server : results.keySet()) {
            Map<String, Object> m = section(server, "memory");
            if (m == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT,
                    "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f KiB | %.1f KiB |%n", server,
                    (int) num(m, "connections"), num(m, "acceptCpuMillis") / 1000,
                    (num(m, "acceptCpuMillis") - num(m, "acceptCompilerCpuMillis")) / 1000,
                    num(m, "warmAcceptCpuMillis") / 1000,
                    (num(m, "warmAcceptCpuMillis") - num(m, "warmAcceptCompilerCpuMillis")) / 1000,
                    num(m, "acceptWallMillis") / 1000, num(m, "heapPerConnectionBytes") / 1024,
                    num(m, "rssPerConnectionBytes") / 1024));
        }
        for (String server : results.keySet()) {
            Map<String, Object> storm = section(server, "storm");
            if (storm != null) {
                md.append(String.format(Locale.ROOT,
                        "%nReconnect storm (%s): %d clients at once, each replaying %d events: %d delivered, %d lost, "
                                + "%d duplicates, in order: %s, in %d ms%s.%n",
                        server, (int) num(storm, "clients"), (int) num(storm, "eventsEach"),
                        (long) num(storm, "delivered"), (long) num(storm, "lost"), (long) num(storm, "duplicates"),
                        storm.get("inOrder"),
                        (long) num(storm, "millis"),
                        storm.containsKey("clientCpuMillis")
                                ? String.format(Locale.ROOT, " (meanwhile %d ms of the server's CPU and %d ms of the "
                                        + "load client's)", (long) num(storm, "serverCpuMillis"),
                                        (long) num(storm, "clientCpuMillis"))
                                : ""));
            }
        }
        md.append("\nRatios of ").append(subject).append(" to each baseline, at the largest connection count the ")
                .append("baseline served without losing events (CPU and p99: lower is better; throughput: higher is ")
                .append("better):\n\n")
                .append("| baseline | connections | CPU/delivery | throughput | p99 (throughput run) | p99 (fixed rate) "
                        + "| CPU/delivery (serial) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Object> oursLatency = section(subject, "latency");
        List<String> incomparable = new ArrayList<>();
        for (String server : results.keySet()) {
            if (server.startsWith(subject)) {
                continue;
            }
            Map<String, Object> theirs = sweep(server).stream().filter(r -> num(r, "lost") == 0)
                    .reduce((a, b) -> b).orElse(null);
            Map<String, Object> ours = theirs == null ? null
                    : sweep(subject).stream().filter(r -> num(r, "connections") == num(theirs, "connections"))
                            .findFirst().orElse(null);
            if (ours == null) {
                incomparable.add(server);
                continue;
            }
            Map<String, Object> theirLatency = section(server, "latency");
            double latencyRatio = theirLatency == null || num(theirLatency, "lost") > 0 || oursLatency == null
                    ? Double.NaN
                    : ratio(oursLatency, theirLatency, "p99Micros");
            Map<String, Object> ourSerial = section(subject, "serial");
            Map<String, Object> theirSerial = section(server, "serial");
            double serialRatio = ourSerial == null || theirSerial == null || num(theirSerial, "lost") > 0
                    ? Double.NaN
                    : ratio(ourSerial, theirSerial, "cpuNanosPerDelivery");
            md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", server,
                    (int) num(theirs, "connections"), ratio(ours, theirs, "cpuNanosPerDelivery"),
                    ratio(ours, theirs, "deliveriesPerSecond"), ratio(ours, theirs, "p99Micros"), latencyRatio,
                    serialRatio));
        }
        if (!incomparable.isEmpty()) {
            md.append("\nNo ratio to ").append(String.join(", ", incomparable))
                    .append(": it lost events at every connection count.\n");
        }
        for (String variant : results.keySet()) {
            if (!variant.equals(subject) && variant.startsWith(subject)) {
                variant(md, variant);
            }
        }
        return md.toString();
    }

    /**
     * The subject run another way (several instances, streams opened from a route): its ratios to the subject, at
     * every connection count.
     */
    private void variant(StringBuilder md, String variant) {
        md.append("\nRatios of ").append(variant).append(" to ").append(subject)
                .append(" (lower is better but for throughput):\n\n")
                .append("| connections | CPU/delivery | throughput | p99 (throughput run) |\n")
                .append("|---:|---:|---:|---:|\n");
        for (Map<String, Object> theirs : sweep(variant)) {
            sweep(subject).stream().filter(r -> num(r, "connections") == num(theirs, "connections")).findFirst()
                    .ifPresent(ours -> md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f |%n",
                            (int) num(theirs, "connections"), ratio(theirs, ours, "cpuNanosPerDelivery"),
                            ratio(theirs, ours, "deliveriesPerSecond"), ratio(theirs, ours, "p99Micros"))));
        }
        Map<String, Object> theirLatency = section(variant, "latency");
        Map<String, Object> ourLatency = section(subject, "latency");
        if (theirLatency != null && ourLatency != null) {
            md.append(String.format(Locale.ROOT, "%nAt the fixed rate, p99: %.2f, CPU/delivery: %.2f.%n",
                    ratio(theirLatency, ourLatency, "p99Micros"),
                    ratio(theirLatency, ourLatency, "cpuNanosPerDelivery")));
        }
    }

    private static double ratio(Map<String, Object> ours, Map<String, Object> theirs, String key) {
        double t = num(theirs, key);
        return t <= 0 ? Double.NaN : num(ours, key) / t;
    }

    private static String row(String server, Map<String, Object> r) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %d | %d | %d | %.1f |%n", server,
                (int) num(r, "connections"), (long) num(r, "deliveriesPerSecond"), (long) num(r, "lost"),
                (long) num(r, "duplicates"), (long) num(r, "p50Micros"), (long) num(r, "p99Micros"), (long) num(r, "maxMicros"),
                num(r, "cpuNanosPerDelivery") / 1000);
    }

    /** Two line charts side by side: deliveries per second, and p99 latency, against connections. */
    private String svg() {
        int w = 900;
        int h = 400;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                w, h));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        chart(svg, 60, 40, 360, 260, "deliveries per second", "deliveriesPerSecond", 1);
        chart(svg, 510, 40, 360, 260, "p99 delivery latency (ms)", "p99Micros", 1000);
        int x = 60;
        int y = 345;
        int i = 0;
        for (String server : results.keySet()) {
            String colour = COLOURS[i++ % COLOURS.length];
            int width = 30 + server.length() * 7;
            if (x + width > w) {
                // the legend goes on on a row of its own
                x = 60;
                y += 20;
            }
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    x, y, colour, x + 20, y + 12, server));
            x += width;
        }
        return svg.append("</svg>\n").toString();
    }

    private void chart(StringBuilder svg, int x0, int y0, int cw, int ch, String title, String key, double divisor) {
        double maxX = 0;
        double maxY = 0;
        for (String server : results.keySet()) {
            for (Map<String, Object> r : sweep(server)) {
                maxX = Math.max(maxX, num(r, "connections"));
                maxY = Math.max(maxY, num(r, key) / divisor);
            }
        }
        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", x0, y0 - 15,
                title));
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                x0, y0 + ch, x0 + cw, y0 + ch, x0, y0, x0, y0 + ch));
        for (int t = 0; t <= 4; t++) {
            double v = maxY * t / 4;
            int y = (int) (y0 + ch - ch * t / 4.0);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", x0 - 5,
                    y + 4, v >= 1000 ? String.format(Locale.ROOT, "%.0fk", v / 1000) : String.format(Locale.ROOT, "%.1f", v)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">connections</text>%n",
                x0 + cw / 2, y0 + ch + 32));
        int i = 0;
        for (String server : results.keySet()) {
            String colour = COLOURS[i++ % COLOURS.length];
            List<String> points = new ArrayList<>();
            for (Map<String, Object> r : sweep(server)) {
                double px = x0 + cw * num(r, "connections") / maxX;
                double py = y0 + ch - ch * (num(r, key) / divisor) / maxY;
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py,
                        colour));
                if (i == 1) {
                    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                            px, y0 + ch + 16, (int) num(r, "connections")));
                }
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", String.join(" ", points),
                    colour));
        }
    }

    private static String json(Object value) {
        if (value instanceof Map<?, ?> map) {
            List<String> fields = new ArrayList<>();
            map.forEach((k, v) -> fields.add("\"" + k + "\": " + json(v)));
            return "{" + String.join(", ", fields) + "}";
        }
        if (value instanceof List<?> list) {
            return "[" + String.join(", ", list.stream().map(Report::json).toList()) + "]";
        }
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
