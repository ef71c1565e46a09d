package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

public class NegativeWriteDelayTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Problems.class))
            .overrideConfigKey("quarkus.sse-channels.write-delay", "-1ms")
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("[quarkus.sse-channels.write-delay] must be zero or positive, got [PT-0.001S]"),
                        message);
            });

    @Test
    void startFails() {
        fail("the start should have failed");
    }
}
