package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

public class NegativeConfigTest {

    @RegisterExtension
    static final QuarkusUnitTest config = Problems.refusedConfig(
            "[quarkus.sse-channels.channels.\"weather\".history-size] must be zero or positive, got [-1]",
            "quarkus.sse-channels.channels.\"weather\".history-size", "-1");

    @Test
    void startFails() {
        fail("the start should have failed");
    }
}
