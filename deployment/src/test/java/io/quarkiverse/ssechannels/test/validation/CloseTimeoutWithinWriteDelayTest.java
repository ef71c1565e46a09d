package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

public class CloseTimeoutWithinWriteDelayTest {

    @RegisterExtension
    static final QuarkusUnitTest config = Problems.refusedConfig(
            "[quarkus.sse-channels.close-timeout] must be longer than [quarkus.sse-channels.write-delay], got [PT0.05S] "
                    + "and [PT0.05S]",
            "quarkus.sse-channels.write-delay", "50ms", "quarkus.sse-channels.close-timeout", "50ms");

    @Test
    void startFails() {
        fail("the start should have failed");
    }
}
