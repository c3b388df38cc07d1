package dev.agentsandbox.local.kubelet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Wraps a child command so that it cannot outlive local mode, not even after {@code kill -9} of the parent: a small
 * shell runs the command in its own session ({@code setsid}, so its whole process group can be signalled), polls
 * the parent's pid every 200 ms, and when the parent is gone (or the wrapper itself is asked to stop) it sends
 * SIGTERM to the group, then SIGKILL after a grace period. Java has no {@code prctl(PR_SET_PDEATHSIG)}, hence the
 * shell. The wrapper exits with the command's exit code.
 */
public final class Watchdog {

    /** Seconds between SIGTERM and SIGKILL. */
    static final int GRACE_SECONDS = 2;

    // $1 = parent pid, $2.. = command. Traps run between the short sleeps, so stopping takes at most ~0.2 s.
    // A stop that comes before the command's pid is known is only noted, and carried out once it is: without that
    // first trap, a SIGTERM between the start of the command and the real trap killed the shell alone and left
    // the command running on its own.
    private static final String SCRIPT =
            """
            parent=$1; shift
            stopping=
            trap 'stopping=1' TERM INT HUP
            setsid "$@" &
            child=$!
            stop() {
              kill -TERM -- -$child 2>/dev/null || kill -TERM $child 2>/dev/null
              i=0
              while kill -0 $child 2>/dev/null && [ $i -lt %d ]; do sleep 0.2; i=$((i+1)); done
              kill -KILL -- -$child 2>/dev/null; kill -KILL $child 2>/dev/null
            }
            trap 'stop; exit 143' TERM INT HUP
            if [ -n "$stopping" ]; then stop; exit 143; fi
            while kill -0 $child 2>/dev/null; do
              if ! kill -0 $parent 2>/dev/null; then stop; exit 137; fi
              sleep 0.2
            done
            wait $child
            """
                    .formatted(GRACE_SECONDS * 5);

    private Watchdog() {}

    /** The command line that runs {@code command} under the watchdog of this JVM. */
    public static List<String> wrap(List<String> command) {
        return wrap(command, ProcessHandle.current().pid());
    }

    static List<String> wrap(List<String> command, long parentPid) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "watchdog", Long.toString(parentPid)));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * SIGKILL to the watchdog alone would orphan the command (it runs in its own session and keeps its address and
     * ports, so the next Pod given that address cannot start): kills what runs under the watchdog first.
     */
    public static void kill(Process watchdog) {
        watchdog.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        watchdog.destroyForcibly();
    }

    /**
     * SIGTERM to the watchdog, which passes it on to the command; SIGKILL to the whole tree after
     * {@code graceSeconds}. What ran under the watchdog when the stop began is killed as well if it is still there
     * once the watchdog is gone: a watchdog that died without passing the signal on (it was still starting, or the
     * machine was too loaded for it to act in time) would otherwise leave it running on its own.
     */
    public static void stop(Process watchdog, int graceSeconds) {
        List<ProcessHandle> tree = watchdog.toHandle().descendants().toList();
        watchdog.destroy();
        try {
            if (!watchdog.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                kill(watchdog);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(watchdog);
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
