package io.quarkiverse.ssechannels.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads what the sources-only native build (the {@code native-sources} execution of this module) generated: the
 * arguments native-image would get and the configuration the runner jar carries.
 * <p>
 * The extension looks nothing up by name and serialises none of its own types, and its static state is image-safe
 * (BuildTimeStateTest guards it), so it registers nothing itself. What Quarkus registers for it is exactly what
 * reading {@code quarkus.sse-channels.*} and creating its bean need; anything more would be registered for nothing.
 */
public class NativeSourcesIT {

    private static final Path SOURCES = Path.of("target", "native-sources");
    private static final String EXTENSION_PACKAGE = "io.quarkiverse.ssechannels";

    @Test
    void nativeImageArgumentsBuildTheDemo() throws IOException {
        String args = Files.readString(SOURCES.resolve("native-image.args"));
        assertTrue(args.contains("-jar quarkus-sse-channels-integration-tests-999-SNAPSHOT-runner.jar"), args);
        assertTrue(args.contains("--features=io.quarkus.runner.Feature"), args);
        assertFalse(args.contains(EXTENSION_PACKAGE), "no argument is about the extension's classes: " + args);
    }

    @Test
    void onlyWhatTheExtensionNeedsIsRegistered() throws IOException {
        try (ZipFile runner = new ZipFile(runnerJar().toFile())) {
            List<String> configs = new ArrayList<>();
            runner.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("META-INF/native-image/") && n.endsWith("-config.json"))
                    .forEach(configs::add);
            assertTrue(configs.contains("META-INF/native-image/reflect-config.json"), configs.toString());
            Set<String> reflective = new TreeSet<>();
            for (JsonNode entry : new ObjectMapper().readTree(read(runner, "META-INF/native-image/reflect-config.json"))) {
                String name = entry.get("name").asText();
                if (name.startsWith(EXTENSION_PACKAGE + ".") && !name.startsWith(EXTENSION_PACKAGE + ".it.")) {
                    reflective.add(name);
                }
            }
            // ArC registers qualifiers and the beans' constructors (the Redis broker's too: the demo has the Redis
            // client), SmallRye Config the mapping implementations and the backend enum
            assertEquals(Set.of(
                    "io.quarkiverse.ssechannels.ChannelName",
                    "io.quarkiverse.ssechannels.ChannelStore",
                    "io.quarkiverse.ssechannels.runtime.SseChannelsImpl",
                    "io.quarkiverse.ssechannels.runtime.RedisBroker",
                    "io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig$$CMImpl",
                    "io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig$Backend",
                    "io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig$Redis$$CMImpl",
                    "io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig$MetricsConfig$$CMImpl",
                    "io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig$ChannelConfig$$CMImpl",
                    "io.quarkiverse.ssechannels.runtime.config.SseChannelsRuntimeConfig$StoreConfig$$CMImpl"),
                    reflective);
            for (String config : configs) {
                if (!config.endsWith("reflect-config.json")) {
                    String json = read(runner, config);
                    assertFalse(json.contains(EXTENSION_PACKAGE), config + " registers an extension class: " + json);
                }
            }
            // Run-time initialisation is registered by the generated feature; the extension's classes are absent.
            String feature = read(runner, "io/quarkus/runner/Feature.class");
            assertFalse(feature.contains("io/quarkiverse/ssechannels") || feature.contains(EXTENSION_PACKAGE),
                    "the native feature mentions an extension class");
            // The extension's beans are in the image: the synthetic channel beans were generated at build time.
            assertTrue(runner.stream().anyMatch(e -> e.getName().startsWith("io/quarkiverse/ssechannels/")),
                    "the runner jar has the extension's classes");
        }
    }

    @Test
    void graalVmVersionTargetsMandrel25() throws IOException {
        assertEquals("25", Files.readString(SOURCES.resolve("graalvm.version")).strip().split("\\.")[0]);
    }

    private static Path runnerJar() throws IOException {
        try (var files = Files.list(SOURCES)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElseThrow();
        }
    }

    private static String read(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        assertTrue(entry != null, "the runner jar has " + name);
        try (InputStream in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
