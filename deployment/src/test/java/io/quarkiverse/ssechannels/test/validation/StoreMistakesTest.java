package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.ssechannels.ChannelStore;
import io.quarkiverse.ssechannels.TemporaryChannels;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Every mistaken store injection point fails the build, each named with what to write instead.
 */
public class StoreMistakesTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Mistakes.class, Problems.class))
            .assertException(e -> {
                String message = Problems.of(e);
                assertTrue(message.contains("Mistakes#raw")
                        && message.contains("TemporaryChannels needs a concrete key type"), message);
                assertTrue(message.contains("Mistakes#unnamed") && message.contains("add @ChannelStore(\"<name>\")"),
                        message);
                // whichever of the two comes second is the one in error
                assertTrue((message.contains("Mistakes#longs") || message.contains("Mistakes#strings"))
                        && message.contains("store [shared] has key type ["), message);
                assertTrue(message.contains("Mistakes#notAStore")
                        && message.contains("@ChannelStore qualifies io.quarkiverse.ssechannels.TemporaryChannels"),
                        message);
                assertTrue(message.contains("Mistakes#blank") && message.contains("@ChannelStore needs a name"),
                        message);
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @Singleton
    public static class Mistakes {
        @SuppressWarnings("rawtypes")
        @Inject
        @ChannelStore("raw")
        TemporaryChannels raw;

        @Inject
        TemporaryChannels<String> unnamed;

        @Inject
        @ChannelStore("shared")
        TemporaryChannels<String> strings;

        @Inject
        @ChannelStore("shared")
        TemporaryChannels<Long> longs;

        @Inject
        @ChannelStore("x")
        String notAStore;

        @Inject
        @ChannelStore(" ")
        TemporaryChannels<String> blank;
    }
}
