package io.quarkiverse.ssechannels.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP over a plain socket, for clients no HTTP library plays: one that stops reading, one that reads a few bytes
 * and goes away.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * Opens a stream from a socket that never reads: a tiny receive window, so the kernel buffers little on its side,
     * and no User-Agent, unlike the JDK client, so that a test can tell its connection from the others.
     */
    public static Socket stalledClient(URI uri) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        return get(socket, uri, uri.getRawPath(), Map.of());
    }

    /**
     * Writes a stream's GET on a new connection and returns without reading anything: the server may not even have
     * accepted it yet (a frozen process, say).
     */
    public static Socket get(URI uri, Map<String, String> headers) throws IOException {
        return get(new Socket(), uri, uri.getRawPath(), headers);
    }

    /**
     * Like {@link #get(URI, Map)}, for a request target written as given, which a {@link URI} may refuse to hold (a
     * query that cannot be decoded, such as {@code ?lastEventId=%zz}).
     *
     * @param server the server's address; its path is not used
     * @param target the path and query, as written on the request line
     */
    public static Socket get(URI server, String target, Map<String, String> headers) throws IOException {
        return get(new Socket(), server, target, headers);
    }

    private static Socket get(Socket socket, URI server, String target, Map<String, String> headers)
            throws IOException {
        socket.connect(new InetSocketAddress(server.getHost(), server.getPort()));
        StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: ")
                .append(server.getHost()).append("\r\nAccept: text/event-stream\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** @return what was read, up to and including {@code end}, or up to the end of the stream */
    public static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder read = new StringBuilder();
        int b;
        while (read.indexOf(end) < 0 && (b = in.read()) >= 0) {
            read.append((char) b);
        }
        return read.toString();
    }
}
