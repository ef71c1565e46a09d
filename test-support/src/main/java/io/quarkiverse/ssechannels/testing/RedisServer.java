package io.quarkiverse.ssechannels.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the Debian package) in a process of its own on a free port, without persistence,
 * stopped by its PID. It can be stopped and started again on the same port (losing its data, as a restart without
 * persistence does) and frozen (SIGSTOP) to stand for a Redis that does not answer.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(20);

    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /**
     * @param logDirectory where its output goes
     */
    public static RedisServer start(Path logDirectory) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(freePort(), logDirectory.resolve("redis-" + System.nanoTime() + ".log"));
        Files.createDirectories(logDirectory);
        server.startAgain();
        return server;
    }

    /** @return whether {@code redis-server} is on the PATH */
    public static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return true;
            }
        }
        return false;
    }

    public int port() {
        return port;
    }

    /** @return {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again) on its port, empty, and waits until it answers. */
    public void startAgain() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " still runs");
        }
        process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port + "; it printed:\n"
                            + Files.readString(log), notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Stops it (SIGTERM to its PID) and waits until it exited: everything it held is gone. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Suspends it (SIGSTOP): it keeps its connections but answers nothing until {@link #thaw()}. */
    public void freeze() throws IOException, InterruptedException {
        Processes.freeze(process);
    }

    public void thaw() throws IOException, InterruptedException {
        Processes.thaw(process);
    }

    /**
     * Sends one command and reads its reply, in RESP: a simple reply or bulk string as text, an integer as its
     * digits, an array as its elements joined by newlines, {@code null} for a null reply.
     */
    public String command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)));
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("Redis closed the connection");
        }
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', ':':
                return rest;
            case '-':
                throw new IOException("Redis answered an error: " + rest);
            case '$': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                char[] chars = new char[length];
                int read = 0;
                while (read < length) {
                    int n = in.read(chars, read, length - read);
                    if (n < 0) {
                        throw new IOException("Truncated reply");
                    }
                    read += n;
                }
                in.readLine();
                return new String(chars);
            }
            case '*': {
                int count = Integer.parseInt(rest);
                if (count < 0) {
                    return null;
                }
                List<String> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                return String.join("\n", items);
            }
            default:
                throw new IOException("Unexpected reply: " + line);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops it by its PID, thawing it first if it was frozen. */
    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            thaw();
            stop();
        }
    }
}
