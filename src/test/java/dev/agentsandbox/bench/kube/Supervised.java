package dev.agentsandbox.bench.kube;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A controller process restarted when it exits, as the kubelet restarts a Deployment's container (restartPolicy
 * Always; here after {@link #RESTART_DELAY_MILLIS}, where a kubelet waits 10 s and more): a controller that exits
 * under load (the upstream one does when it cannot renew its leader Lease in time) goes on being measured, and its
 * restarts are counted.
 */
final class Supervised implements AutoCloseable {

    static final long RESTART_DELAY_MILLIS = 1000;

    private final BenchController controller;
    private final Path kubeconfig;
    private final Path log;
    private final AtomicInteger restarts = new AtomicInteger();
    private final Thread watcher;
    private volatile Process process;
    private volatile boolean stopping;

    Supervised(BenchController controller, Path kubeconfig, Path log) throws IOException {
        this.controller = controller;
        this.kubeconfig = kubeconfig;
        this.log = log;
        this.process = controller.start(kubeconfig, log);
        this.watcher = new Thread(this::restartOnExit, "bench-supervisor-" + controller.name());
        watcher.setDaemon(true);
        watcher.start();
    }

    private void restartOnExit() {
        try {
            while (!stopping) {
                int code = process.waitFor();
                if (stopping) {
                    return;
                }
                System.out.printf("BENCH-KUBE %s exited with %d; restarting it%n", controller.name(), code);
                Thread.sleep(RESTART_DELAY_MILLIS);
                restarts.incrementAndGet();
                process = controller.start(kubeconfig, log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            System.out.printf("BENCH-KUBE %s could not be restarted: %s%n", controller.name(), e.getMessage());
        }
    }

    long pid() {
        return process.pid();
    }

    int restarts() {
        return restarts.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        watcher.interrupt();
        Process p = process;
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }
}
