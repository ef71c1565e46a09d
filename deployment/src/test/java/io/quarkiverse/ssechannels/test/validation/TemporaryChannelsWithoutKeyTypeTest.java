package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkus.test.QuarkusUnitTest;

public class TemporaryChannelsWithoutKeyTypeTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Raw.class, Problems.class))
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("Raw#store"), message);
                assertTrue(message.contains("TemporaryChannels needs a concrete key type"), message);
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @Singleton
    public static class Raw {
        @SuppressWarnings("rawtypes")
        @Inject
        TemporaryChannels store;
    }
}
