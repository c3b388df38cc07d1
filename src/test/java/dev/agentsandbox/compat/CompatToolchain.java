package dev.agentsandbox.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the compatibility tests run clients nobody here wrote: a Python virtual environment made by a {@code venv.sh}
 * under {@code tests/compat/} (cached in {@code ~/.cache/agent-sandbox}), and Go programs under {@code tests/compat/}
 * built into {@code target/compat/} once per test JVM. Each is built on first use, so that {@code ./mvnw verify} works
 * from a fresh clone.
 */
final class CompatToolchain {

    /** The outcome of one program run: its exit code and its standard output and error, interleaved. */
    record Run(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n" + output;
        }
    }

    private static final Map<Path, Path> BUILT = new HashMap<>();

    private CompatToolchain() {}

    /** Whether {@code command} is on the PATH. */
    static boolean installed(String command) {
        try {
            return run(Duration.ofSeconds(30), Map.of(), "sh", "-c", "command -v " + command)
                    .ok();
        } catch (IOException e) {
            return false;
        }
    }

    /** The virtual environment {@code venvScript} prints, created by it on first use. */
    static synchronized Path pythonVenv(Path venvScript) throws IOException {
        Run made = run(
                Duration.ofMinutes(10), Map.of(), venvScript.toAbsolutePath().toString());
        if (!made.ok()) {
            throw new IllegalStateException(venvScript + " failed: " + made);
        }
        List<String> lines = made.output().lines().toList();
        return Path.of(lines.get(lines.size() - 1).trim());
    }

    /** The program of the Go module in {@code moduleDir}, built into {@code target/compat/<name>} once per JVM. */
    static synchronized Path goProgram(Path moduleDir, String name) throws IOException {
        Path binary = BUILT.get(moduleDir);
        if (binary != null) {
            return binary;
        }
        binary = Path.of("target", "compat", name).toAbsolutePath();
        Files.createDirectories(binary.getParent());
        Run built = run(
                Duration.ofMinutes(20),
                Map.of(),
                "sh",
                "-c",
                "cd '" + moduleDir.toAbsolutePath() + "' && go build -o '" + binary + "' .");
        if (!built.ok()) {
            throw new IllegalStateException("go build in " + moduleDir + " failed: " + built);
        }
        BUILT.put(moduleDir, binary);
        return binary;
    }

    /** Runs {@code command} with {@code environment} added, and waits at most {@code timeout} for it to end. */
    static Run run(Duration timeout, Map<String, String> environment, String... command) throws IOException {
        Path output = Files.createTempFile("compat", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process p = builder.start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "did not end in " + timeout + ": " + Files.readString(output));
            }
            return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
