package dev.agentsandbox.local.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** No child process outlives its parent, not even after the parent is killed with SIGKILL. */
class WatchdogTest {

    @Test
    void childrenDieWithinFiveSecondsOfAKill9OfTheParent() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh (Linux or macOS)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "needs setsid (util-linux)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), WatchdogParent.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long wrapper;
        long child;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream()))) {
            String line = out.readLine();
            Matcher m = Pattern.compile("WRAPPER=(\\d+) CHILD=(\\d+)").matcher(line == null ? "" : line);
            assertThat(m.matches()).as("parent reported its children: %s", line).isTrue();
            wrapper = Long.parseLong(m.group(1));
            child = Long.parseLong(m.group(2));
        }
        assertThat(running(wrapper)).isTrue();
        assertThat(running(child)).isTrue();

        parent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
        assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();

        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !running(wrapper) && !running(child));
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theWrapperPassesTheExitCodeOn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Process p = new ProcessBuilder(Watchdog.wrap(List.of("sh", "-c", "exit 7"))).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(7);
    }

    /** Alive and not a zombie (a reaped-late zombie has already stopped running). */
    static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
            } catch (Exception e) {
                return false;
            }
        }
        return false;
    }

    /** The bug: a forced stop killed the watchdog alone, and the container's process lived on with its pod IP. */
    @Test
    void aForcedStopKillsTheContainerProcessNotJustItsWatchdog() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh (Linux or macOS)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "needs setsid (util-linux)");
        Process watchdog = new ProcessBuilder(Watchdog.wrap(java.util.List.of("sleep", "600"))).start();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> watchdog.toHandle().descendants().findAny().isPresent());
        java.util.List<ProcessHandle> tree = watchdog.toHandle().descendants().toList();

        PodProcess.killTree(watchdog);

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive) && !watchdog.isAlive());
    }
}
