package dev.agentsandbox.local.kubelet;

import java.util.List;

/** A stand-in for local mode in {@link WatchdogTest}: starts a watched child, prints the pids, then waits. */
public final class WatchdogParent {

    public static void main(String[] args) throws Exception {
        Process wrapper = new ProcessBuilder(Watchdog.wrap(List.of("sleep", "300")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long child = -1;
        for (int i = 0; i < 100 && child < 0; i++) {
            child = wrapper.children().mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
            Thread.sleep(50);
        }
        System.out.println("WRAPPER=" + wrapper.pid() + " CHILD=" + child);
        System.out.flush();
        Thread.sleep(600_000);
    }
}
