package dev.agentsandbox.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The upstream SDKs as ordinary dependencies: the Go program of {@code tests/compat/sdk/go} (the SDK from the Go module
 * proxy, built with {@code go build}) and the Python flow of {@code tests/compat/sdk/python} (the SDK from PyPI, in the
 * virtual environment {@code tests/compat/python-venv.sh} creates once). A test that needs a tool that is absent is skipped with one
 * message naming it.
 */
final class UpstreamSdks {

    static final Path GO_MODULE = Path.of("tests", "compat", "sdk", "go").toAbsolutePath();
    static final Path PYTHON_DIR = Path.of("tests", "compat", "sdk", "python").toAbsolutePath();
    /** The module whose examples/kata-aks/ holds upstream's own YAML (the release the Go SDK comes from). */
    static final String UPSTREAM_MODULE = "sigs.k8s.io/agent-sandbox";

    private UpstreamSdks() {}

    static void assumeTool(String tool, String skipped) {
        CompatToolchain.assumeInstalled(tool, skipped);
    }

    /** Builds the Go program once per test JVM (Go's build cache makes a second build quick). */
    static Path goProgram() throws Exception {
        assumeTool("go", "the upstream Go SDK test (tests/compat/sdk/go, Go 1.26)");
        return CompatToolchain.goProgram(GO_MODULE, "sdk-go");
    }

    /** The Python of the virtual environment with the upstream Python SDK, created on first use. */
    static Path python() throws Exception {
        assumeTool("python3", "the upstream Python SDK test (tests/compat/sdk/python)");
        return CompatToolchain.pythonVenv(PYTHON_DIR.resolve("requirements.txt"))
                .resolve("bin")
                .resolve("python");
    }

    /** Upstream's own examples/kata-aks/ directory, from the Go module cache (downloaded through the module proxy). */
    static Path upstreamKataAksExample() throws Exception {
        assumeTool("go", "the test of upstream's own kata-aks YAML (read from the Go module " + UPSTREAM_MODULE + ")");
        CompatToolchain.Run download = CompatToolchain.run(
                GO_MODULE, Duration.ofMinutes(5), Map.of(), "go", "mod", "download", "-json", UPSTREAM_MODULE);
        if (download.exit() != 0) {
            throw new AssertionError("go mod download " + UPSTREAM_MODULE + " failed: " + download);
        }
        JsonNode module = new ObjectMapper().readTree(download.out());
        return Path.of(module.path("Dir").asText(), "examples", "kata-aks");
    }

    /** Runs the Go flow against a router; environment as documented in tests/compat/sdk/go/main.go. */
    static CompatToolchain.Run runGo(Map<String, String> environment) throws Exception {
        return CompatToolchain.run(
                GO_MODULE, Duration.ofMinutes(4), environment, goProgram().toString());
    }

    /** Runs the Python flow against a router; environment as documented in tests/compat/sdk/python/flow.py. */
    static CompatToolchain.Run runPython(Map<String, String> environment) throws Exception {
        return CompatToolchain.run(
                PYTHON_DIR,
                Duration.ofMinutes(4),
                environment,
                python().toString(),
                PYTHON_DIR.resolve("flow.py").toString());
    }
}
