package io.quarkiverse.ssechannels.runtime;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.quarkiverse.ssechannels.SseMessage;
import io.vertx.core.buffer.Buffer;

/**
 * The two steps of a send that the send path benchmark ({@code SendPath}) takes together, one at a time and on one
 * thread: encoding a message into a frame with its position id, and the history (appending to a ring of 500
 * events, as the demo keeps, and reading it back as a connection catching up does). In the runtime's package,
 * since neither step is public API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EncoderAndHistory {

    private static final int HISTORY = 500;

    /** {@code line}: 100 bytes on one data line; {@code lines}: 1,000 bytes on 10 data lines. */
    @Param({ "line", "lines" })
    public String data;

    private SseEncoder encoder;
    private SseMessage message;
    private EventLog log;
    private Buffer frame;
    private long offset;

    @Setup
    public void start() {
        encoder = new SseEncoder(null, 1024 * 1024);
        String text = data.equals("line") ? "x".repeat(100) : ("x".repeat(99) + "\n").repeat(10);
        message = SseMessage.builder().event("weather-event").data(text).build();
        log = new EventLog(HISTORY, 0);
        frame = encoder.prepare(message).frameWithPosition("0123456789abcdef-1");
        for (int i = 0; i < HISTORY; i++) {
            append();
        }
    }

    /** What a send does outside the channel's lock, and the id it writes under it. */
    @Benchmark
    public Buffer encode() {
        return encoder.prepare(message).frameWithPosition("0123456789abcdef-" + offset++);
    }

    /** A send's step under the lock: the event enters the ring, the oldest leaves it. */
    @Benchmark
    public EventLog append() {
        offset = log.nextOffset();
        log.append(new Event(null, offset, offset, null, false, frame, frame, null));
        return log;
    }

    /** A catching up connection's read of the whole history, per event. */
    @Benchmark
    @OperationsPerInvocation(HISTORY)
    public long replay() {
        long bytes = 0;
        for (long at = log.oldestPosition() + 1; at <= log.last(); at++) {
            bytes += log.get(at).frame().length();
        }
        return bytes;
    }
}
