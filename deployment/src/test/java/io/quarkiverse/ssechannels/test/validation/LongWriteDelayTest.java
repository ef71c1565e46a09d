package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

public class LongWriteDelayTest {

    @RegisterExtension
    static final QuarkusUnitTest config = Problems.refusedConfig(
            "[quarkus.sse-channels.write-delay] must be at most 100 ms, got [PT0.15S]",
            "quarkus.sse-channels.write-delay", "150ms");

    @Test
    void startFails() {
        fail("the start should have failed");
    }
}
