package io.quarkiverse.ssechannels.test.validation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Collects every message of a failure, causes and suppressed ones included.
 */
final class Problems {

    private Problems() {
    }

    /**
     * @param expected what the failure must say
     * @param keysAndValues configuration keys, each followed by its value, that the start must refuse
     * @return an application whose start must fail saying {@code expected}
     */
    static QuarkusUnitTest refusedConfig(String expected, String... keysAndValues) {
        QuarkusUnitTest test = new QuarkusUnitTest().withApplicationRoot(jar -> jar.addClasses(Problems.class));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            test.overrideConfigKey(keysAndValues[i], keysAndValues[i + 1]);
        }
        return test.assertException(e -> {
            String message = of(e);
            assertTrue(message.contains(expected), message);
        });
    }

    static String of(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(s.getMessage()).append('\n');
            }
        }
        return all.toString();
    }
}
