package io.quarkiverse.ssechannels.test.validation;

/**
 * Collects every message of a failure, causes and suppressed ones included.
 */
final class Problems {

    private Problems() {
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
