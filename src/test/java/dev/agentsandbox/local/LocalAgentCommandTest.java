package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.local.kubelet.KubeletSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalAgentCommandTest {

    @Test
    void agentProcessesStartWithTheClassArchiveWhenTheBuildMadeOne(@TempDir Path app) throws Exception {
        Path jar = Files.createFile(app.resolve("quarkus-run.jar"));

        List<String> without = LocalMain.agentCommand(jar);
        assertThat(without).containsSequence(KubeletSettings.SMALL_JVM);
        assertThat(without).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
        assertThat(without.subList(without.size() - 2, without.size())).containsExactly("-jar", jar.toString());

        Path archive = Files.createFile(app.resolve(LocalMain.CLASS_ARCHIVE));
        List<String> with = LocalMain.agentCommand(jar);
        assertThat(with).contains("-XX:SharedArchiveFile=" + archive);
        assertThat(with.indexOf("-XX:SharedArchiveFile=" + archive)).isLessThan(with.indexOf("-jar"));
    }

    /** The archive only maps into a JVM started with the flags it was recorded with: the build must use them. */
    @Test
    void theBuildRecordsTheArchiveWithTheFlagsAgentProcessesGet() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        int start = pom.indexOf("<id>agent-class-archive</id>");
        assertThat(start).as("the agent-class-archive execution in pom.xml").isPositive();
        String execution = pom.substring(start, pom.indexOf("</arguments>", start));
        for (String flag : KubeletSettings.SMALL_JVM) {
            assertThat(execution).contains("<argument>" + flag + "</argument>");
        }
        assertThat(execution)
                .contains("-XX:ArchiveClassesAtExit=${project.build.directory}/quarkus-app/" + LocalMain.CLASS_ARCHIVE)
                .contains("<argument>agent</argument>")
                .contains("<argument>--exit-after-start</argument>");
    }
}
