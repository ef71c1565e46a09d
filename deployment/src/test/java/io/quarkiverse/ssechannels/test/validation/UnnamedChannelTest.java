package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.Channel;
import io.quarkiverse.ssechannels.ChannelName;
import io.quarkus.test.QuarkusUnitTest;

public class UnnamedChannelTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Unnamed.class, Blank.class, Problems.class))
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("Unnamed#channel"), message);
                assertTrue(message.contains("add @ChannelName(\"<name>\")"), message);
                assertTrue(message.contains("Blank#channel"), message);
                assertTrue(message.contains("@ChannelName needs a name"), message);
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @Singleton
    public static class Unnamed {
        @Inject
        Channel channel;
    }

    @Singleton
    public static class Blank {
        @Inject
        @ChannelName(" ")
        Channel channel;
    }
}
