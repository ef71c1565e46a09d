package io.quarkiverse.ssechannels.testing;

import java.io.IOException;

/** Signals to the processes a test started, always by PID, never by name. */
public final class Processes {

    private Processes() {
    }

    /** Suspends the process (SIGSTOP): it keeps its sockets open but handles nothing until {@link #thaw}. */
    public static void freeze(Process process) throws IOException, InterruptedException {
        signal(process, "-STOP");
    }

    /** Resumes a process {@link #freeze frozen} before (SIGCONT). */
    public static void thaw(Process process) throws IOException, InterruptedException {
        signal(process, "-CONT");
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }
}
