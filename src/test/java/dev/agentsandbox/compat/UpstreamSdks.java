package dev.agentsandbox.compat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upstream SDKs as ordinary dependencies: the Go program of {@code tests/compat/sdk/go} (the SDK from the Go module
 * proxy, built with {@code go build}) and the Python flow of {@code tests/compat/sdk/python} (the SDK from PyPI, in the
 * virtual environment {@code venv.sh} creates once). A test that needs a tool that is absent is skipped with one
 * message naming it.
 */
final class UpstreamSdks {

    static final Path GO_MODULE = Path.of("tests", "compat", "sdk", "go").toAbsolutePath();
    static final Path PYTHON_DIR = Path.of("tests", "compat", "sdk", "python").toAbsolutePath();
    static final Path GO_PROGRAM = Path.of("target", "compat", "sdk-go").toAbsolutePath();
    /** The module whose examples/kata-aks/ holds upstream's own YAML (the release the Go SDK comes from). */
    static final String UPSTREAM_MODULE = "sigs.k8s.io/agent-sandbox";

    private static Path builtGoProgram;
    private static Path venv;

    private UpstreamSdks() {}

    /** What a program printed and how it ended. */
    record Outcome(int exit, String out, String err, Duration took) {
        @Override
        public String toString() {
            return "exit " + exit + " after " + took.toMillis() + " ms\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static void assumeTool(String tool, String skipped) {
        assumeTrue(onPath(tool), tool + " not found on PATH: " + skipped + " is skipped");
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Builds the Go program once per test JVM (Go's build cache makes a second build quick). */
    static synchronized Path goProgram() throws Exception {
        assumeTool("go", "the upstream Go SDK test (tests/compat/sdk/go, Go 1.26)");
        if (builtGoProgram == null) {
            Files.createDirectories(GO_PROGRAM.getParent());
            Outcome build = run(
                    GO_MODULE,
                    Map.of(),
                    Duration.ofMinutes(10),
                    "go",
                    "build",
                    "-buildvcs=false",
                    "-o",
                    GO_PROGRAM.toString(),
                    ".");
            if (build.exit() != 0) {
                throw new AssertionError("go build of tests/compat/sdk/go failed: " + build);
            }
            builtGoProgram = GO_PROGRAM;
        }
        return builtGoProgram;
    }

    /** The virtual environment with the upstream Python SDK, created by venv.sh on first use. */
    static synchronized Path python() throws Exception {
        assumeTool("python3", "the upstream Python SDK test (tests/compat/sdk/python)");
        if (venv == null) {
            Outcome created = run(
                    PYTHON_DIR,
                    Map.of(),
                    Duration.ofMinutes(10),
                    "bash",
                    PYTHON_DIR.resolve("venv.sh").toString());
            if (created.exit() != 0) {
                throw new AssertionError("tests/compat/sdk/python/venv.sh failed: " + created);
            }
            venv = Path.of(created.out().strip());
        }
        return venv.resolve("bin").resolve("python");
    }

    /** Upstream's own examples/kata-aks/ directory, from the Go module cache (downloaded through the module proxy). */
    static Path upstreamKataAksExample() throws Exception {
        assumeTool("go", "the test of upstream's own kata-aks YAML (read from the Go module " + UPSTREAM_MODULE + ")");
        Outcome download =
                run(GO_MODULE, Map.of(), Duration.ofMinutes(5), "go", "mod", "download", "-json", UPSTREAM_MODULE);
        if (download.exit() != 0) {
            throw new AssertionError("go mod download " + UPSTREAM_MODULE + " failed: " + download);
        }
        JsonNode module = new ObjectMapper().readTree(download.out());
        return Path.of(module.path("Dir").asText(), "examples", "kata-aks");
    }

    /** Runs the Go flow against a router; environment as documented in tests/compat/sdk/go/main.go. */
    static Outcome runGo(Map<String, String> environment) throws Exception {
        return run(GO_MODULE, environment, Duration.ofMinutes(4), goProgram().toString());
    }

    /** Runs the Python flow against a router; environment as documented in tests/compat/sdk/python/flow.py. */
    static Outcome runPython(Map<String, String> environment) throws Exception {
        return run(
                PYTHON_DIR,
                environment,
                Duration.ofMinutes(4),
                python().toString(),
                PYTHON_DIR.resolve("flow.py").toString());
    }

    static Outcome run(Path dir, Map<String, String> environment, Duration timeout, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("compat-out", ".txt");
        Path err = Files.createTempFile("compat-err", ".txt");
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        Outcome outcome = new Outcome(
                ended ? process.exitValue() : -1,
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8)
                        + (ended ? "" : "\n(killed after " + timeout.toSeconds() + " s)"),
                Duration.ofNanos(System.nanoTime() - start));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return outcome;
    }
}
