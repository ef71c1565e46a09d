package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

public class LongWriteDelayTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Problems.class))
            .overrideConfigKey("quarkus.sse-channels.write-delay", "150ms")
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("[quarkus.sse-channels.write-delay] must be at most 100 ms, got [PT0.15S]"),
                        message);
            });

    @Test
    void startFails() {
        fail("the start should have failed");
    }
}
