package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.ChannelName;
import io.quarkus.test.QuarkusUnitTest;

public class ChannelNameOnWrongTypeTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Mistaken.class, Problems.class))
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("Mistaken#weather"), message);
                assertTrue(message.contains("@ChannelName qualifies io.quarkiverse.ssechannels.Channel"), message);
                assertTrue(message.contains("[java.lang.String]"), message);
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }


    @Singleton
    public static class Mistaken {
        @Inject
        @ChannelName("weather")
        String weather;
    }
}
