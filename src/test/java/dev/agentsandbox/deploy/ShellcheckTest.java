package dev.agentsandbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every shell script of the repository passes shellcheck (Debian package {@code shellcheck}). Skipped with a
 * message where shellcheck is not installed; CI installs it.
 */
class ShellcheckTest {

    static final Path REPO = Path.of("").toAbsolutePath();

    @Test
    void everyScriptIsShellcheckClean() throws IOException, InterruptedException {
        boolean installed = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "shellcheck")));
        Assumptions.assumeTrue(
                installed,
                "SKIPPED: shellcheck is not installed, scripts not checked; install it with apt-get install -y shellcheck"
                        + " (.ci/run and the CI workflow must)");
        List<String> scripts = scripts();
        assertThat(scripts).contains("deploy/aks/deploy.sh", "deploy/kind/setup.sh", "deploy/lib/common.sh");

        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources", "--severity=style"));
        command.addAll(scripts);
        Process process = new ProcessBuilder(command)
                .directory(REPO.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("shellcheck findings:%n%s", output).isZero();
    }

    /** Files ending in .sh, and .ci/run, outside build output and dependencies. */
    static List<String> scripts() throws IOException {
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(REPO)) {
            files.filter(Files::isRegularFile)
                    .map(file -> REPO.relativize(file).toString())
                    .filter(path ->
                            !path.startsWith("target/") && !path.startsWith(".git/") && !path.contains("node_modules/"))
                    .filter(path -> path.endsWith(".sh") || path.equals(".ci/run"))
                    .sorted()
                    .forEach(scripts::add);
        }
        return scripts;
    }
}
