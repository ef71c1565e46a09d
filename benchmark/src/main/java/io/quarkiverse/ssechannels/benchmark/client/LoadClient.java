package io.quarkiverse.ssechannels.benchmark.client;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Holds many SSE connections on one Vert.x event loop, publishes events over HTTP and measures what arrives. Usage:
 * {@code LoadClient --out DIR [--scale F] --server SPEC} (see {@link Server#parse}) writes
 * {@code DIR/name.json}; {@code LoadClient --out DIR --report subject,baseline,...} turns those into the report.
 */
public final class LoadClient {

    private static final int PAYLOAD_BYTES = 100;
    private static final Set<String> WORKLOADS = Set.of("latency", "memory", "serial", "throughput", "storm",
            "users");
    /** The per-user streams and publishes (a temporary channel per user): a user's id follows each. */
    private static final String USER_STREAM = "/sse/user/";
    private static final String USER_PUBLISH = "/user/";
    /** Bursts of connections opened and closed before accepting is measured again, in a warm server. */
    private static final int WARM_UP_BURSTS = 4;
    /** How many users connect at once in the per-user workload. */
    private static final int USERS_PER_WAVE = 100;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private HttpClient streams = newStreamsClient();
    private final HttpClient publisher = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(8));
    private final double scale;
    private final Set<String> workloads;

    private LoadClient(double scale, Set<String> workloads) {
        this.scale = scale;
        this.workloads = workloads;
    }

    public static void main(String[] args) throws Exception {
        List<Server> servers = new ArrayList<>();
        Path out = Path.of("benchmark-results");
        List<String> report = null;
        double scale = 1.0;
        Set<String> workloads = WORKLOADS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> servers.add(Server.parse(args[++i]));
                case "--out" -> out = Path.of(args[++i]);
                case "--scale" -> scale = Double.parseDouble(args[++i]);
                case "--report" -> report = List.of(args[++i].split(","));
                case "--workloads" -> workloads = workloads(args[++i]);
                default -> throw new IllegalArgumentException("Unknown argument [" + args[i] + "]");
            }
        }
        Files.createDirectories(out);
        if (report != null) {
            Map<String, Map<String, Object>> results = new LinkedHashMap<>();
            for (String name : report) {
                results.put(name, new JsonObject(Files.readString(out.resolve(name + ".json"))).getMap());
            }
            new Report(results, report.get(0)).write(out);
            return;
        }
        LoadClient client = new LoadClient(scale, workloads);
        try {
            for (Server server : servers) {
                Map<String, Object> result;
                try {
                    result = client.measure(server);
                } catch (Exception e) {
                    // a baseline that falls over (out of memory, refused connections) is a result too
                    System.out.printf("%s failed: %s%n", server.name(), e);
                    result = new LinkedHashMap<>(client.partial);
                    result.put("error", e.getMessage());
                }
                Files.writeString(out.resolve(server.name() + ".json"), new JsonObject(result).encodePrettily());
            }
        } finally {
            client.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** @param list some of {@link #WORKLOADS}, comma-separated: a quick look at one figure, not a full run */
    private static Set<String> workloads(String list) {
        Set<String> chosen = Set.of(list.split(","));
        if (!WORKLOADS.containsAll(chosen)) {
            throw new IllegalArgumentException("Workloads are some of " + WORKLOADS + ", got " + chosen);
        }
        return chosen;
    }

    private int scaled(int n) {
        return Math.max(1, (int) (n * scale));
    }

    /** What a measurement collected so far, kept when a later workload fails. */
    private Map<String, Object> partial = new LinkedHashMap<>();

    private Map<String, Object> measure(Server server) throws Exception {
        System.out.printf("== %s ==%n", server.name());
        Map<String, Object> result = new LinkedHashMap<>();
        partial = result;
        throughput(server, scaled(200), scaled(200)); // warm-up, not reported
        // below saturation first: a server without backpressure may not survive the throughput runs
        // p99 at a fixed rate moves by a third from run to run on a shared 2-core machine: the median of three
        if (workloads.contains("latency")) {
            List<Map<String, Object>> latencies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                latencies.add(latency(server, scaled(5000), 10, scaled(10)));
            }
            latencies.sort(java.util.Comparator.comparingLong(r -> (Long) r.get("p99Micros")));
            Map<String, Object> median = latencies.get(1);
            median.put("p99MicrosEachRun", latencies.stream().map(r -> r.get("p99Micros")).toList());
            result.put("latency", median);
        }
        if (workloads.contains("memory")) {
            // kept as it fills: a failure in the warm bursts keeps the first burst's figures
            Map<String, Object> memory = new LinkedHashMap<>();
            result.put("memory", memory);
            memory(server, scaled(10_000), memory);
        }
        if (workloads.contains("serial")) {
            result.put("serial", serial(server, scaled(1000), 300));
        }
        if (workloads.contains("throughput")) {
            List<Map<String, Object>> sweep = new ArrayList<>();
            result.put("throughput", sweep);
            for (int connections : new int[] { scaled(250), scaled(500), scaled(1000) }) {
                sweep.add(throughput(server, connections, scaled(2000)));
            }
        }
        if (server.replays() && workloads.contains("storm")) {
            result.put("storm", storm(server, scaled(1000), 500));
        }
        if (server.users() && workloads.contains("users")) {
            result.put("users", perUser(server, scaled(1000), scaled(5000)));
        }
        return result;
    }

    /** N connections, E events published as fast as the server takes them (8 POSTs in flight). */
    private Map<String, Object> throughput(Server server, int connections, int events) throws Exception {
        Map<String, Object> r = delivered(server, connections, events, started -> {
            Semaphore inFlight = new Semaphore(8);
            for (int i = 0; i < events; i++) {
                if (!inFlight.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(server.name() + " stopped answering publishes");
                }
                publish(server, i).whenComplete((ok, e) -> inFlight.release());
            }
        });
        r.put("events", events);
        System.out.printf("throughput %5d conns: %s%n", connections, r);
        return r;
    }

    /**
     * N connections, E events published the way most applications do: one POST at a time over one keep-alive
     * connection, each sent once the previous one was answered.
     */
    private Map<String, Object> serial(Server server, int connections, int events) throws Exception {
        Map<String, Object> r = delivered(server, connections, events, started -> {
            for (int i = 0; i < events; i++) {
                publish(server, i).get(30, TimeUnit.SECONDS);
            }
        });
        r.put("events", events);
        System.out.printf("serial %5d conns: %s%n", connections, r);
        return r;
    }

    /**
     * U users, each with a temporary channel of its own and 1 to 5 connections to it (drawn from a fixed seed),
     * connecting a hundred users at a time, and E events published one POST at a time, each to a random user: the
     * shape of per-user notifications. Every event carries its user's own sequence, so each stream checks order,
     * gaps and duplicates.
     */
    private Map<String, Object> perUser(Server server, int users, int events) throws Exception {
        Random random = new Random(42);
        int[] connectionsOf = new int[users];
        List<Integer> userOf = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            connectionsOf[u] = 1 + random.nextInt(5);
            for (int c = 0; c < connectionsOf[u]; c++) {
                userOf.add(u);
            }
        }
        int[] target = new int[events];
        long expected = 0;
        for (int i = 0; i < events; i++) {
            target[i] = random.nextInt(users);
            expected += connectionsOf[target[i]];
        }
        Run run = new Run((int) expected);
        List<Subscriber> subscribers = new ArrayList<>(userOf.size());
        // users come in waves, as they do: a wave's first joins create its channels, a probe shows each stream is in
        for (int wave = 0; wave < users; wave += USERS_PER_WAVE) {
            int from = wave;
            int to = Math.min(users, wave + USERS_PER_WAVE);
            List<Integer> streamsOf = userOf.stream().filter(u -> u >= from && u < to).toList();
            subscribers.addAll(connectNow(server, run, streamsOf.size(), Map.of(),
                    n -> USER_STREAM + "u" + streamsOf.get(n)));
            probeUntilSeen(server, run, subscribers.size(),
                    IntStream.range(from, to).mapToObj(u -> USER_PUBLISH + "u" + u).toList());
        }
        int[] sequenceOf = new int[users];
        long cpuBefore = server.cpuNanos();
        long started = System.nanoTime();
        for (int i = 0; i < events; i++) {
            int u = target[i];
            publish(server, USER_PUBLISH + "u" + u, sequenceOf[u]++).get(30, TimeUnit.SECONDS);
        }
        awaitDeliveries(run, expected);
        Map<String, Object> r = summary(run, subscribers, expected, run.lastDelivery - started,
                server.cpuNanos() - cpuBefore);
        r.put("users", users);
        r.put("connections", userOf.size());
        r.put("events", events);
        System.out.printf("per-user %d users, %d conns: %s%n", users, userOf.size(), r);
        disconnect();
        return r;
    }

    /** N connections, a fixed rate of events per second for some seconds, below saturation. */
    private Map<String, Object> latency(Server server, int connections, int perSecond, int seconds)
            throws Exception {
        int events = perSecond * seconds;
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        Map<String, Object> r = delivered(server, connections, events, started -> {
            for (int i = 0; i < events; i++) {
                LockSupport.parkNanos(started + i * period - System.nanoTime());
                publish(server, i);
            }
        });
        r.put("eventsPerSecond", perSecond);
        System.out.printf("latency %d conns at %d/s: %s%n", connections, perSecond, r);
        return r;
    }

    /** How a workload publishes its events, from the moment measuring started. */
    @FunctionalInterface
    private interface Publishing {
        void publish(long startedNanos) throws Exception;
    }

    /**
     * Connects N streams, publishes E events as told, waits for the deliveries and disconnects.
     *
     * @return the summary of what arrived, with the number of connections
     */
    private Map<String, Object> delivered(Server server, int connections, int events, Publishing publishing)
            throws Exception {
        Run run = new Run(connections * events);
        List<Subscriber> subscribers = connect(server, run, connections, Map.of());
        long cpuBefore = server.cpuNanos();
        long compilerBefore = server.compilerCpuNanos();
        long started = System.nanoTime();
        publishing.publish(started);
        long expected = (long) connections * events;
        awaitDeliveries(run, expected);
        long compiler = server.compilerCpuNanos() - compilerBefore;
        long cpu = server.cpuNanos() - cpuBefore;
        Map<String, Object> r = summary(run, subscribers, expected, run.lastDelivery - started, cpu);
        // a fresh server still compiles the code of publishing while it publishes; it also runs code compiled less
        // well meanwhile, so this is more than a warm server would pay, not what it would
        long delivered = (Long) r.get("delivered");
        r.put("cpuNanosPerDeliveryWithoutJit", delivered == 0 ? -1 : (cpu - compiler) / delivered);
        r.put("connections", connections);
        disconnect();
        return r;
    }

    /**
     * N connections opened at once, then left idle: server CPU (and the part of it its JIT compiler threads used)
     * and wall time until every response head arrived (plus a quiet second, in which the server finishes what the
     * last ones started), and heap after GC and RSS per connection. Then the same burst into a warm server: after
     * {@link #WARM_UP_BURSTS} more bursts of N, opened and closed, whose code paths the JIT compiled meanwhile, and
     * once the server's CPU is quiet again.
     *
     * @param r where the figures go
     */
    private void memory(Server server, int connections, Map<String, Object> r) throws Exception {
        long heapBefore = server.heapAfterGc();
        long rssBefore = server.rssBytes();
        r.put("connections", connections);
        long wall = acceptBurst(server, connections, r, "accept");
        r.put("acceptWallMillis", TimeUnit.NANOSECONDS.toMillis(wall));
        long heapAfter = server.heapAfterGc();
        long rssAfter = server.rssBytes();
        r.put("heapPerConnectionBytes", (heapAfter - heapBefore) / connections);
        r.put("rssPerConnectionBytes", (rssAfter - rssBefore) / connections);
        disconnect();
        for (int i = 0; i < WARM_UP_BURSTS; i++) {
            connectNow(server, new Run(0), connections, Map.of());
            disconnect();
        }
        awaitQuiet(server);
        acceptBurst(server, connections, r, "warmAccept");
        System.out.printf("memory %d idle conns: %s%n", connections, r);
        disconnect();
    }

    /**
     * Waits, up to 30 s, until the server used less than a twentieth of a core over half a second: what the last
     * closes, a collection or the JIT left to do is not counted in the next measurement.
     */
    private static void awaitQuiet(Server server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long before = server.cpuNanos();
        do {
            Thread.sleep(500);
            long now = server.cpuNanos();
            if (now - before < TimeUnit.MILLISECONDS.toNanos(25)) {
                return;
            }
            before = now;
        } while (System.nanoTime() < deadline);
    }

    /**
     * Opens N connections at once and records the server CPU they took, and the part of it the JIT compiler threads
     * used, under {@code <key>CpuMillis} and {@code <key>CompilerCpuMillis}.
     *
     * @return the wall time until every head arrived, in nanoseconds
     */
    private long acceptBurst(Server server, int connections, Map<String, Object> r, String key) throws Exception {
        long cpuBefore = server.cpuNanos();
        long compilerBefore = server.compilerCpuNanos();
        long started = System.nanoTime();
        connectNow(server, new Run(0), connections, Map.of());
        long wall = System.nanoTime() - started;
        Thread.sleep(1000);
        r.put(key + "CpuMillis", TimeUnit.NANOSECONDS.toMillis(server.cpuNanos() - cpuBefore));
        r.put(key + "CompilerCpuMillis", TimeUnit.NANOSECONDS.toMillis(server.compilerCpuNanos() - compilerBefore));
        return wall;
    }

    /** N clients reconnecting at once, each replaying the last E events from the history. */
    private Map<String, Object> storm(Server server, int clients, int events) throws Exception {
        String before = publish(server, -2).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < events; i++) {
            publish(server, i).get(10, TimeUnit.SECONDS);
        }
        Run run = new Run(clients * events);
        long serverCpuBefore = server.cpuNanos();
        long clientCpuBefore = clientCpuNanos();
        long started = System.nanoTime();
        List<Subscriber> subscribers = connectNow(server, run, clients, Map.of("Last-Event-ID", before.strip()));
        long expected = (long) clients * events;
        awaitDeliveries(run, expected);
        long elapsed = run.lastDelivery - started;
        // read once every event arrived: a little after the last one, up to the polling interval of the wait
        long serverCpu = server.cpuNanos() - serverCpuBefore;
        long clientCpu = clientCpuNanos() - clientCpuBefore;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clients", clients);
        r.put("eventsEach", events);
        r.put("delivered", run.deliveries.sum());
        r.put("lost", expected - run.deliveries.sum());
        r.put("duplicates", subscribers.stream().mapToLong(s -> s.duplicates).sum());
        r.put("inOrder", subscribers.stream().allMatch(s -> s.inOrder));
        r.put("millis", TimeUnit.NANOSECONDS.toMillis(elapsed));
        // on a machine the server and this client share, whose CPU the storm waits for
        r.put("serverCpuMillis", TimeUnit.NANOSECONDS.toMillis(serverCpu));
        r.put("clientCpuMillis", TimeUnit.NANOSECONDS.toMillis(clientCpu));
        System.out.printf("reconnect storm: %s%n", r);
        subscribers.stream().filter(s -> s.received < events).limit(5).forEach(s -> System.out.printf(
                "  a short stream: %d of %d events, next expected %d, %s%n", s.received, events, s.next,
                s.ended == null ? "still open" : s.ended));
        disconnect();
        return r;
    }

    /** @return the CPU time of this client's JVM, every thread (its event loop, the JIT, the garbage collector) */
    private static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private Map<String, Object> summary(Run run, List<Subscriber> subscribers, long expected, long elapsedNanos,
            long cpuNanos) {
        long delivered = run.deliveries.sum();
        long[] p = run.percentilesMicros(50, 99, 100);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("delivered", delivered);
        r.put("deliveriesPerSecond", delivered == 0 ? 0 : (long) (delivered / (elapsedNanos / 1e9)));
        r.put("lost", expected - delivered);
        r.put("duplicates", subscribers.stream().mapToLong(s -> s.duplicates).sum());
        r.put("inOrder", subscribers.stream().allMatch(s -> s.inOrder));
        r.put("p50Micros", p[0]);
        r.put("p99Micros", p[1]);
        r.put("maxMicros", p[2]);
        r.put("cpuNanosPerDelivery", delivered == 0 ? -1 : cpuNanos / delivered);
        return r;
    }

    /** Connects, then publishes probes until every stream saw one: only then is the server surely delivering. */
    private List<Subscriber> connect(Server server, Run run, int n, Map<String, String> headers) throws Exception {
        List<Subscriber> subscribers = connectNow(server, run, n, headers);
        probeUntilSeen(server, run, n, List.of(server.publishPath()));
        return subscribers;
    }

    /**
     * Publishes a probe to each path, every 200 ms, until the run's streams saw one each.
     *
     * @param streams how many of the run's streams there are
     */
    private void probeUntilSeen(Server server, Run run, int streams, List<String> paths) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (run.probedSubscribers.sum() < streams) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(server.name() + ": only " + run.probedSubscribers.sum() + " of "
                        + streams + " streams got a probe");
            }
            CompletableFuture.allOf(paths.stream().map(path -> publish(server, path, -1))
                    .toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            Thread.sleep(200);
        }
    }

    private List<Subscriber> connectNow(Server server, Run run, int n, Map<String, String> headers) throws Exception {
        return connectNow(server, run, n, headers, i -> server.ssePath());
    }

    /** @param paths the path of the n-th stream */
    private List<Subscriber> connectNow(Server server, Run run, int n, Map<String, String> headers,
            IntFunction<String> paths) throws Exception {
        List<Subscriber> subscribers = new ArrayList<>(n);
        CountDownLatch heads = new CountDownLatch(n);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            Subscriber subscriber = new Subscriber(run, 0);
            subscribers.add(subscriber);
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost")
                    .setPort(server.streamPort(i)).setURI(paths.apply(i)).putHeader("Accept", "text/event-stream");
            headers.forEach(options::putHeader);
            // the handlers are in place before the request goes out: a response body that arrives before its
            // handler is dropped, and a thread that registers it later can be descheduled while the whole replay
            // comes in
            streams.request(options).compose(request -> {
                Future<HttpClientResponse> response = request.response().andThen(ar -> {
                    if (ar.succeeded()) {
                        HttpClientResponse r = ar.result();
                        r.handler(subscriber::handle);
                        r.endHandler(v -> subscriber.ended = "ended by the server, status " + r.statusCode());
                        r.exceptionHandler(e -> subscriber.ended = e.toString());
                    }
                });
                return request.end().compose(v -> response);
            }).onComplete(ar -> {
                if (ar.failed()) {
                    failed.incrementAndGet();
                }
                heads.countDown();
            });
        }
        if (!heads.await(120, TimeUnit.SECONDS) || failed.get() > 0) {
            throw new IllegalStateException(server.name() + ": " + failed.get() + " of " + n + " streams failed");
        }
        return subscribers;
    }

    /** Closes every stream (closing the client closes its connections). */
    private void disconnect() throws Exception {
        streams.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        streams = newStreamsClient();
        // let the server notice the closes before the next measurement
        Thread.sleep(2000);
    }

    private HttpClient newStreamsClient() {
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(20_000));
    }

    private void awaitDeliveries(Run run, long expected) throws InterruptedException {
        long lastCount = -1;
        long stalledSince = System.nanoTime();
        while (run.deliveries.sum() < expected) {
            long now = run.deliveries.sum();
            if (now != lastCount) {
                lastCount = now;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > TimeUnit.SECONDS.toNanos(10)) {
                return; // nothing more is coming: the rest is lost
            }
            Thread.sleep(20);
        }
    }

    private CompletableFuture<String> publish(Server server, long sequence) {
        return publish(server, server.publishPath(), sequence);
    }

    /** @return the response body (the extension answers the event id) */
    private CompletableFuture<String> publish(Server server, String path, long sequence) {
        StringBuilder body = new StringBuilder(PAYLOAD_BYTES).append(sequence).append(' ').append(System.nanoTime())
                .append(' ');
        while (body.length() < PAYLOAD_BYTES) {
            body.append('x');
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
                .setPort(server.publishPort()).setURI(path).setIdleTimeout(10_000)
                .putHeader("Content-Type", "text/plain");
        // a server that stops answering (out of memory, say) fails the publish instead of hanging the run
        // the body is asked for before the request goes out (see connectNow)
        return publisher.request(options).compose(request -> {
            Future<String> answer = request.response().compose(response -> response.body().map(Buffer::toString));
            return request.end(Buffer.buffer(body.toString())).compose(v -> answer);
        }).toCompletionStage().toCompletableFuture();
    }
}
