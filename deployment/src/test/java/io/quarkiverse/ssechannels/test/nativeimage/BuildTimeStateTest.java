package io.quarkiverse.ssechannels.test.nativeimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.SseChannels;
import io.quarkiverse.ssechannels.runtime.SseChannelsRecorder;
import io.quarkus.runtime.shutdown.ShutdownListener;

/**
 * Guards what a native image would freeze at build time: Quarkus initialises the extension's classes while building
 * the image, so their static state must hold no thread, timer, executor, socket, Vert.x or Netty object, and the
 * recorder must only record plain values (it records channel names, store names and key types, and whether the
 * application has the Redis client) and return objects created at run time.
 */
public class BuildTimeStateTest {

    private static final Set<String> FORBIDDEN_PACKAGES = Set.of("io.vertx.", "io.netty.", "java.net.", "java.nio.channels.");

    @Test
    void staticStateOfEveryRuntimeClassIsImageSafe() throws Exception {
        List<String> classes = runtimeClasses();
        assertTrue(classes.size() > 15, "found the runtime classes: " + classes);
        List<String> problems = new ArrayList<>();
        List<String> needOptional = new ArrayList<>();
        for (String name : classes) {
            Field[] fields;
            try {
                fields = Class.forName(name, true, getClass().getClassLoader()).getDeclaredFields();
            } catch (NoClassDefFoundError e) {
                // this module's tests run without the optional Redis client, Micrometer and SmallRye Health: their
                // classes hold constants only
                needOptional.add(name + " needs " + e.getMessage());
                continue;
            }
            for (Field field : fields) {
                if (!Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                    continue;
                }
                field.setAccessible(true);
                Object value = field.get(null);
                if (value != null && !imageSafe(value)) {
                    problems.add(name + "." + field.getName() + " holds a " + value.getClass().getName());
                }
            }
        }
        assertEquals(List.of(), problems);
        needOptional.sort(null);
        assertEquals(3, needOptional.size(), "only the Micrometer meters, the Redis broker and the health check refer "
                + "to the optional Micrometer, Redis client and SmallRye Health: " + needOptional);
        assertTrue(needOptional.get(0).startsWith(
                "io.quarkiverse.ssechannels.runtime.MicrometerMetrics needs io/micrometer/"), needOptional.toString());
        assertTrue(needOptional.get(1).startsWith("io.quarkiverse.ssechannels.runtime.RedisBroker needs io/vertx/redis/"),
                needOptional.toString());
        assertTrue(needOptional.get(2).startsWith(
                "io.quarkiverse.ssechannels.runtime.SseChannelsHealthCheck needs io/smallrye/health/"),
                needOptional.toString());
    }

    @Test
    void recorderRecordsOnlyNames() {
        for (Method method : SseChannelsRecorder.class.getDeclaredMethods()) {
            if (Modifier.isPublic(method.getModifiers())) {
                for (Class<?> parameter : method.getParameterTypes()) {
                    // names, whether the Redis client is there, and store key type names by store name
                    assertTrue(parameter == String.class || parameter == boolean.class || parameter == Map.class,
                            method + " records a " + parameter.getName());
                }
                // values created at run time: bean creators and the shutdown listener
                assertTrue(method.getReturnType() == void.class || method.getReturnType() == Function.class
                        || method.getReturnType() == ShutdownListener.class, method + " returns " + method.getReturnType());
            }
        }
    }

    private static boolean imageSafe(Object value) {
        if (value instanceof Thread || value instanceof java.util.Timer || value instanceof ExecutorService) {
            return false;
        }
        if (value instanceof CharSequence) {
            // immutable text, such as the AsciiString header names Vert.x itself keeps in static fields
            return true;
        }
        String type = value.getClass().getName();
        return FORBIDDEN_PACKAGES.stream().noneMatch(type::startsWith);
    }

    private static List<String> runtimeClasses() throws IOException, URISyntaxException {
        Path location = Path.of(SseChannels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> entries = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                files.map(p -> location.relativize(p).toString().replace('\\', '/')).forEach(entries::add);
            }
        } else {
            try (ZipFile jar = new ZipFile(location.toFile())) {
                jar.stream().map(e -> e.getName()).forEach(entries::add);
            }
        }
        return entries.stream()
                .filter(e -> e.startsWith("io/quarkiverse/ssechannels/") && e.endsWith(".class"))
                .map(e -> e.substring(0, e.length() - ".class".length()).replace('/', '.'))
                .sorted()
                .toList();
    }
}
