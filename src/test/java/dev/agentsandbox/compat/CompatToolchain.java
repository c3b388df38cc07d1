package dev.agentsandbox.compat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * How the compatibility tests run clients nobody here wrote: Python virtual environments made by
 * {@code tests/compat/python-venv.sh} from a requirements file (cached in {@code ~/.cache/agent-sandbox}), and Go
 * programs under {@code tests/compat/} built into {@code target/compat/} once per test JVM. Each is built on first
 * use, so that {@code ./mvnw verify} works from a fresh clone.
 */
final class CompatToolchain {

    static final Path PYTHON_VENV_SCRIPT = Path.of("tests", "compat", "python-venv.sh");

    /** The outcome of one program run: its exit code, what it printed on each stream, and how long it ran. */
    record Run(int exit, String out, String err, Duration took) {
        boolean ok() {
            return exit == 0;
        }

        /** Standard output, then standard error. */
        String output() {
            return out + err;
        }

        @Override
        public String toString() {
            return "exit " + exit + " after " + took.toMillis() + " ms\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private static final Map<Path, Path> BUILT = new HashMap<>();
    private static final Map<Path, Path> VENVS = new HashMap<>();

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

    /** Skips the calling test, naming {@code what} is skipped, when {@code tool} is not on the PATH. */
    static void assumeInstalled(String tool, String what) {
        assumeTrue(installed(tool), tool + " not found on PATH: " + what + " is skipped");
    }

    /** The virtual environment with {@code requirements} installed, created on first use. */
    static synchronized Path pythonVenv(Path requirements) throws IOException {
        Path venv = VENVS.get(requirements);
        if (venv != null) {
            return venv;
        }
        Run made = run(
                Duration.ofMinutes(10),
                Map.of(),
                PYTHON_VENV_SCRIPT.toAbsolutePath().toString(),
                requirements.toAbsolutePath().toString());
        if (!made.ok()) {
            throw new IllegalStateException(PYTHON_VENV_SCRIPT + " " + requirements + " failed: " + made);
        }
        venv = Path.of(made.out().strip());
        VENVS.put(requirements, venv);
        return venv;
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
                moduleDir,
                Duration.ofMinutes(20),
                Map.of(),
                "go",
                "build",
                "-buildvcs=false",
                "-o",
                binary.toString(),
                ".");
        if (!built.ok()) {
            throw new IllegalStateException("go build in " + moduleDir + " failed: " + built);
        }
        BUILT.put(moduleDir, binary);
        return binary;
    }

    /** Runs {@code command} with {@code environment} added, and waits at most {@code timeout} for it to end. */
    static Run run(Duration timeout, Map<String, String> environment, String... command) throws IOException {
        return run(Path.of(""), timeout, environment, command);
    }

    /** Runs {@code command} in {@code dir}; a command still running after {@code timeout} is killed. */
    static Run run(Path dir, Duration timeout, Map<String, String> environment, String... command) throws IOException {
        Path out = Files.createTempFile("compat-out", ".txt");
        Path err = Files.createTempFile("compat-err", ".txt");
        long start = System.nanoTime();
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
                    .directory(dir.toAbsolutePath().toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            return new Run(
                    ended ? process.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8)
                            + (ended ? "" : "\n(killed after " + timeout.toSeconds() + " s)"),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
