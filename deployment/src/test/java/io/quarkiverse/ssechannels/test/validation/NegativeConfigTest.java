package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

public class NegativeConfigTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Problems.class))
            .overrideConfigKey("quarkus.sse-channels.channels.\"weather\".history-size", "-1")
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("[quarkus.sse-channels.channels.\"weather\".history-size] must be zero or positive, got [-1]"),
                        message);
            });

    @Test
    void startFails() {
        fail("the start should have failed");
    }
}
