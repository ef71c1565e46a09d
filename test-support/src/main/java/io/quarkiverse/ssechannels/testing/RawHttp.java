package io.quarkiverse.ssechannels.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

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
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
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
