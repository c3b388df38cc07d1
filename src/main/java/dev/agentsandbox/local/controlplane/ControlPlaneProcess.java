package dev.agentsandbox.local.controlplane;

import dev.agentsandbox.local.kubelet.Watchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One process of the control plane, under a {@link Watchdog}, its output in {@code <dir>/<name>.log}. */
final class ControlPlaneProcess {

    /** How long a stop waits for the watchdog, which itself sends SIGKILL after its own grace period. */
    private static final int GRACE_SECONDS = 10;

    private final String name;
    private final Process process;
    private final Path log;

    private ControlPlaneProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ControlPlaneProcess start(String name, List<String> command, Path dir) {
        Path log = dir.resolve(name + ".log");
        try {
            Process p = new ProcessBuilder(Watchdog.wrap(command))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .directory(dir.toFile())
                    .start();
            return new ControlPlaneProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Fails with the end of the log when the process has exited (it never should while the plane runs). */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    name + " exited with " + process.exitValue() + "; last lines of " + log + ":\n" + tail());
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    void stop() {
        Watchdog.stop(process, GRACE_SECONDS);
    }
}
