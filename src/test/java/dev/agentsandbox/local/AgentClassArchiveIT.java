package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.local.kubelet.KubeletSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class archive the build records (pom.xml, {@code agent-class-archive}) maps into an agent process started
 * the way local mode starts one, and most of its classes come from it. {@code -Xshare:on} makes the JVM fail
 * instead of silently ignoring an archive that does not fit. Runs in {@code verify}: it needs the packaged build.
 */
class AgentClassArchiveIT {

    static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void anAgentStartedAsLocalModeStartsItLoadsItsClassesFromTheArchive(@TempDir Path dir) throws Exception {
        Path jar = APP.resolve("quarkus-run.jar").toAbsolutePath();
        assertThat(APP.resolve(LocalMain.CLASS_ARCHIVE))
                .as("recorded by the build")
                .isRegularFile();
        List<String> command = new java.util.ArrayList<>(LocalMain.agentCommand(jar));
        int jarAt = command.indexOf("-jar");
        command.addAll(
                jarAt,
                List.of(
                        "-Xshare:on",
                        "-Xlog:class+load=info",
                        "-Dquarkus.http.host=127.0.0.1",
                        "-Dquarkus.http.port=0"));
        command.addAll(List.of("agent", "--exit-after-start"));
        Path log = dir.resolve("agent.log");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");
        pb.environment().put("OPENAI_API_KEY", "class-archive-test");
        pb.environment().put("LLM_MODEL", "class-archive-test");
        Process process = pb.start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("the agent stops after start-up")
                    .isTrue();
        } finally {
            process.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(process.exitValue())
                .as(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())))
                .isZero();
        long fromArchive = lines.stream()
                .filter(l -> l.contains("source: shared objects file (top)"))
                .count();
        long notShared = lines.stream()
                .filter(l -> l.contains("[class,load]") && !l.contains("source: shared objects file"))
                .count();
        assertThat(command)
                .contains("-XX:SharedArchiveFile="
                        + APP.resolve(LocalMain.CLASS_ARCHIVE).toAbsolutePath());
        assertThat(KubeletSettings.SMALL_JVM).isSubsetOf(command);
        // measured here: about 3,400 classes from the agent archive, 1,300 loaded from the jars
        assertThat(fromArchive)
                .as("classes from the agent archive (%d loaded from jars instead)", notShared)
                .isGreaterThan(2000)
                .isGreaterThan(notShared);
    }
}
