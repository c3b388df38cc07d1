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

    static void assumeShellAndSetsid() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh (Linux or macOS)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "needs setsid (util-linux)");
    }

    @Test
    void childrenDieWithinFiveSecondsOfAKill9OfTheParent() throws Exception {
        assumeShellAndSetsid();
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
        assumeShellAndSetsid();
        Process watchdog = new ProcessBuilder(Watchdog.wrap(java.util.List.of("sleep", "600"))).start();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> watchdog.toHandle().descendants().findAny().isPresent());
        java.util.List<ProcessHandle> tree = watchdog.toHandle().descendants().toList();

        Watchdog.kill(watchdog);

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive) && !watchdog.isAlive());
    }

    /**
     * A stop that comes as the watchdog is still starting (a Pod deleted as its process starts, which a warm pool
     * churning through members does all the time): the SIGTERM must not kill the shell before it can pass it on,
     * leaving the command running on its own. Thirty stops at different points of the start; the window the
     * watchdog's first trap closes is narrow, so this cannot be sure to hit it (the next test covers the kubelet's
     * own safety net deterministically).
     */
    @Test
    void aStopRightAfterStartLeavesNoCommandBehind() throws Exception {
        assumeShellAndSetsid();
        String marker = "599." + ProcessHandle.current().pid();
        for (int i = 0; i < 30; i++) {
            Process watchdog = new ProcessBuilder(Watchdog.wrap(List.of("sleep", marker + i))).start();
            Thread.sleep(i % 5); // at various points of the script's start
            watchdog.destroy();
            assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        Thread.sleep(500);
        List<String> left = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains("sleep " + marker))
                .map(h -> {
                    h.destroyForcibly();
                    return h.info().commandLine().orElse("?");
                })
                .toList();
        assertThat(left).as("commands that outlived their stopped watchdog").isEmpty();
    }

    /** The kubelet's stop kills what ran under a wrapper that died on SIGTERM without passing it on. */
    @Test
    void aStopKillsTheCommandOfAWrapperThatDiedWithoutPassingTheSignalOn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh (Linux or macOS)");
        // a shell that leaves its child behind when terminated, as a watchdog killed before its trap was set did
        Process wrapper = new ProcessBuilder("/bin/sh", "-c", "sleep 600 & trap 'exit 0' TERM; wait").start();
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> wrapper.toHandle().descendants().findAny().isPresent());
        List<ProcessHandle> tree = wrapper.toHandle().descendants().toList();

        Watchdog.stop(wrapper, 5);

        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive) && !wrapper.isAlive());
    }
}
