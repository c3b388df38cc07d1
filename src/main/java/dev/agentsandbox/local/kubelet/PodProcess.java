package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** One Pod run as a supervised OS process on its loopback address: started, probed, restarted as its policy says. */
final class PodProcess implements Runnable {

    private static final Logger LOG = Logger.getLogger(PodProcess.class);
    private static final long FAST_PROBE_MILLIS = 100;
    private static final long MAX_CONFIG_RETRY_MILLIS = 10_000;

    private final KubernetesClient client;
    private final KubeletSettings settings;
    private final Pod pod;
    private final String ip;
    private final String ns;
    private final String name;
    private final ContainerLaunch launch;
    private final PodStatusReporter status;
    private volatile boolean stopping;
    private volatile Process process;
    private Thread thread;

    PodProcess(KubernetesClient client, KubeletSettings settings, Pod pod, String ip) {
        this.client = client;
        this.settings = settings;
        this.pod = pod;
        this.ip = ip;
        this.ns = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.launch = new ContainerLaunch(client, settings, pod, ip);
        this.status = new PodStatusReporter(client, settings, pod, ip, () -> stopping);
    }

    void start() {
        thread = new Thread(this, "pod-" + ns + "-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the API no longer has this Pod (deleted, or replaced by another of the same name). */
    boolean goneFromApi() {
        Pod current = client.pods().inNamespace(ns).withName(name).get();
        return current == null
                || !pod.getMetadata().getUid().equals(current.getMetadata().getUid());
    }

    /** Kills the process (the Pod was deleted or local mode stops) and waits for it to be gone. */
    void stop() {
        stopping = true;
        Process p = process;
        if (p != null) {
            Watchdog.stop(p, Watchdog.GRACE_SECONDS + 2);
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void run() {
        try {
            runPod();
        } catch (RuntimeException e) {
            // never end silently: a Pod whose thread died would stay as it was with nothing saying why
            LOG.errorf(e, "pod %s/%s: the kubelet stopped running it", ns, name);
            status.reportPending(
                    pod.getSpec().getContainers().get(0),
                    settings.clock().instant(),
                    "LocalKubeletError",
                    "the local kubelet stopped running this Pod: " + e);
        }
    }

    private void runPod() {
        String describe = "pod " + ns + "/" + name;
        Container container = pod.getSpec().getContainers().get(0);
        if (pod.getSpec().getContainers().size() > 1) {
            LOG.warnf(
                    "%s: local mode runs only the first container (%s); the others are ignored",
                    describe, container.getName());
        }
        Instant startTime = settings.clock().instant();
        Map<String, String> env = environmentOnceAvailable(describe, container, startTime);
        if (env == null) {
            return;
        }
        List<String> command;
        try {
            command = launch.command(env);
        } catch (IllegalStateException e) {
            LOG.warnf("%s stays Pending: %s", describe, e.getMessage());
            status.reportPending(container, startTime, "LocalModeCannotRun", e.getMessage());
            return;
        }
        launch.logVolumeDirectories();
        int restarts = 0;
        Backoff backoff = new Backoff(1000, 30_000);
        Path log = launch.logFile();
        while (!stopping) {
            Instant started = settings.clock().instant();
            try {
                process = launch.process(command, env, log).start();
            } catch (IOException e) {
                LOG.warnf("%s: cannot start %s: %s", describe, command, e.getMessage());
                status.reportPending(
                        container,
                        startTime,
                        "LocalModeCannotRun",
                        "cannot start " + command.get(0) + ": " + e.getMessage());
                return;
            }
            if (stopping) {
                Watchdog.stop(process, Watchdog.GRACE_SECONDS + 2);
                return;
            }
            LOG.infof("%s runs as process %d on %s (log %s)", describe, process.pid(), ip, log);
            int exit = supervise(container, env, startTime, started, restarts);
            if (stopping) {
                return;
            }
            String policy = pod.getSpec().getRestartPolicy() == null
                    ? "Always"
                    : pod.getSpec().getRestartPolicy();
            boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && exit != 0);
            if (!restart) {
                LOG.infof(
                        "%s: process exited with %d; restartPolicy %s, phase %s",
                        describe, exit, policy, exit == 0 ? "Succeeded" : "Failed");
                status.reportTerminated(container, startTime, started, exit, restarts);
                return;
            }
            restarts++;
            LOG.infof(
                    "%s: process exited with %d; restarting in %d ms (restartPolicy %s)",
                    describe, exit, backoff.nextMillis(), policy);
            status.reportBackingOff(container, startTime, started, exit, restarts);
            backoff.pause();
        }
    }

    /**
     * The container's environment, waiting as a kubelet does while a Secret, ConfigMap or key it names is missing
     * (or the API cannot be read): the Pod stays Pending with reason {@code CreateContainerConfigError} and the
     * lookup is retried with back-off, so a Secret created after the Pod still lets it start. Null when the Pod is
     * stopped while waiting.
     */
    private Map<String, String> environmentOnceAvailable(String describe, Container container, Instant startTime) {
        Backoff backoff = new Backoff(500, MAX_CONFIG_RETRY_MILLIS);
        String lastError = null;
        while (!stopping) {
            try {
                return launch.environment();
            } catch (IllegalStateException | KubernetesClientException e) {
                String message = String.valueOf(e.getMessage());
                if (!message.equals(lastError)) {
                    LOG.warnf("%s stays Pending until this is resolved: %s", describe, message);
                    status.reportPending(container, startTime, "CreateContainerConfigError", message);
                    lastError = message;
                }
            }
            backoff.pause();
        }
        return null;
    }

    /** Watches the running process and its probes; returns its exit code. */
    private int supervise(
            Container container, Map<String, String> env, Instant startTime, Instant started, int restarts) {
        PodProbe readiness =
                container.getReadinessProbe() == null ? null : new PodProbe(container.getReadinessProbe(), container);
        PodProbe liveness =
                container.getLivenessProbe() == null ? null : new PodProbe(container.getLivenessProbe(), container);
        long t0 = System.currentTimeMillis();
        boolean ready = readiness == null;
        status.reportRunning(container, startTime, started, process.pid(), ready, restarts);
        long nextReadiness = t0 + (readiness == null ? 0 : readiness.initialDelayMillis());
        long nextLiveness = t0 + (liveness == null ? 0 : liveness.initialDelayMillis());
        int readinessFailures = 0;
        int livenessFailures = 0;
        while (!stopping) {
            try {
                if (process.waitFor(FAST_PROBE_MILLIS, TimeUnit.MILLISECONDS)) {
                    return process.exitValue();
                }
            } catch (InterruptedException e) {
                if (stopping) {
                    return -1;
                }
            }
            long now = System.currentTimeMillis();
            if (readiness != null && now >= nextReadiness) {
                boolean ok = readiness.check(ip, env);
                readinessFailures = ok ? 0 : readinessFailures + 1;
                boolean nowReady = ok || (ready && readinessFailures < readiness.failureThreshold());
                if (nowReady != ready) {
                    ready = nowReady;
                    status.reportRunning(container, startTime, started, process.pid(), ready, restarts);
                }
                // until the container is first ready, probe often: local pods should be ready within a second
                nextReadiness = now + (ready ? readiness.periodMillis() : FAST_PROBE_MILLIS);
            }
            if (liveness != null && now >= nextLiveness) {
                livenessFailures = liveness.check(ip, env) ? 0 : livenessFailures + 1;
                nextLiveness = now + liveness.periodMillis();
                if (livenessFailures >= liveness.failureThreshold()) {
                    LOG.warnf(
                            "pod %s/%s: liveness probe failed %d times; killing the process",
                            ns, name, livenessFailures);
                    process.destroy();
                    livenessFailures = 0;
                }
            }
        }
        return -1;
    }
}
