package dev.agentsandbox.local.kubelet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One Pod run as an OS process on its own loopback address: the first container's command (or this application in
 * agent role for the agent image) under a {@link Watchdog}, its probes driving Ready, its restart policy applied when
 * it exits, and its status (phase, conditions, pod IP, container state) written back to the API.
 */
final class PodProcess implements Runnable {

    private static final Logger LOG = Logger.getLogger(PodProcess.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FAST_PROBE_MILLIS = 100;
    private static final long MAX_CONFIG_RETRY_MILLIS = 10_000;

    private final KubernetesClient client;
    private final KubeletSettings settings;
    private final Pod pod;
    private final String ip;
    private final String ns;
    private final String name;
    private final Map<String, String> transitions = new HashMap<>();
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
            writeStatus(pending(
                    pod.getSpec().getContainers().get(0),
                    settings.clock().instant(),
                    "LocalKubeletError",
                    "the local kubelet stopped running this Pod: " + e));
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
            command = command(container, env);
        } catch (IllegalStateException e) {
            LOG.warnf("%s stays Pending: %s", describe, e.getMessage());
            writeStatus(pending(container, startTime, "LocalModeCannotRun", e.getMessage()));
            return;
        }
        volumes(describe);
        int restarts = 0;
        long backoffMillis = 1000;
        Path log = logFile(container);
        while (!stopping) {
            Instant started = settings.clock().instant();
            try {
                ProcessBuilder pb = new ProcessBuilder(Watchdog.wrap(command))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.environment().clear();
                pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
                pb.environment().put("HOME", System.getProperty("user.home"));
                pb.environment().putAll(env);
                File dir = container.getWorkingDir() != null && new File(container.getWorkingDir()).isDirectory()
                        ? new File(container.getWorkingDir())
                        : log.getParent().toFile();
                pb.directory(dir);
                process = pb.start();
            } catch (IOException e) {
                LOG.warnf("%s: cannot start %s: %s", describe, command, e.getMessage());
                writeStatus(pending(
                        container,
                        startTime,
                        "LocalModeCannotRun",
                        "cannot start " + command.get(0) + ": " + e.getMessage()));
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
                writeStatus(terminated(container, startTime, started, exit, restarts));
                return;
            }
            restarts++;
            LOG.infof(
                    "%s: process exited with %d; restarting in %d ms (restartPolicy %s)",
                    describe, exit, backoffMillis, policy);
            writeStatus(backingOff(container, startTime, started, exit, restarts));
            sleep(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, 30_000);
        }
    }

    /**
     * The container's environment, waiting as a kubelet does while a Secret, ConfigMap or key it names is missing
     * (or the API cannot be read): the Pod stays Pending with reason {@code CreateContainerConfigError} and the
     * lookup is retried with back-off, so a Secret created after the Pod still lets it start. Null when the Pod is
     * stopped while waiting.
     */
    private Map<String, String> environmentOnceAvailable(String describe, Container container, Instant startTime) {
        long backoffMillis = 500;
        String lastError = null;
        while (!stopping) {
            try {
                return environment(container);
            } catch (IllegalStateException | KubernetesClientException e) {
                String message = String.valueOf(e.getMessage());
                if (!message.equals(lastError)) {
                    LOG.warnf("%s stays Pending until this is resolved: %s", describe, message);
                    writeStatus(pending(container, startTime, "CreateContainerConfigError", message));
                    lastError = message;
                }
            }
            sleep(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, MAX_CONFIG_RETRY_MILLIS);
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
        writeStatus(running(container, startTime, started, ready, restarts));
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
                    writeStatus(running(container, startTime, started, ready, restarts));
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

    /** The port the agent binds: the container's first declared port, else the agent's default 8080. */
    private static int agentPort(Container container) {
        return container.getPorts().isEmpty()
                ? 8080
                : container.getPorts().get(0).getContainerPort();
    }

    /**
     * The ports the Pod's process will listen on at its address, as far as the spec tells: every declared container
     * port, and the agent's default port when the first container declares none.
     */
    static Set<Integer> listenPorts(Pod pod) {
        Set<Integer> ports = new TreeSet<>();
        List<Container> containers = pod.getSpec().getContainers();
        containers.forEach(c -> c.getPorts().forEach(p -> ports.add(p.getContainerPort())));
        if (!containers.isEmpty()) {
            ports.add(agentPort(containers.get(0)));
        }
        return ports;
    }

    private List<String> command(Container container, Map<String, String> env) {
        String image = container.getImage() == null ? "" : container.getImage();
        int port = agentPort(container);
        if (image.contains(settings.agentImageMarker())) {
            if (settings.agentCommand().isEmpty()) {
                throw new IllegalStateException("local mode cannot run image " + image
                        + ": the application jar (quarkus-run.jar) was not found");
            }
            List<String> cmd = new ArrayList<>(settings.agentCommand());
            // system properties outrank the role defaults, so the agent binds its pod address, not 127.0.0.1:8080
            cmd.add(1, "-Dquarkus.http.host=" + ip);
            cmd.add(2, "-Dquarkus.http.port=" + port);
            cmd.add("agent");
            return cmd;
        }
        boolean hasCommand =
                container.getCommand() != null && !container.getCommand().isEmpty();
        if (!hasCommand && PlatformImage.matches(image)) {
            return PlatformImage.command(
                    settings.platformAppDir()
                            .orElseThrow(() -> new IllegalStateException("local mode cannot run image " + image
                                    + ": the application (quarkus-run.jar) was not found")),
                    container,
                    env);
        }
        if (!hasCommand) {
            throw new IllegalStateException("local mode cannot run image " + image + ": only the agent image (its name "
                    + "contains \"" + settings.agentImageMarker() + "\"), the platform image (repository \""
                    + PlatformImage.REPOSITORY + "\") or a container with a command runs locally");
        }
        LOG.infof("pod %s/%s: running the container's command; image %s is ignored in local mode", ns, name, image);
        List<String> cmd = new ArrayList<>();
        container.getCommand().forEach(c -> cmd.add(PodEnvironment.expand(c, env)));
        if (container.getArgs() != null) {
            container.getArgs().forEach(a -> cmd.add(PodEnvironment.expand(a, env)));
        }
        return cmd;
    }

    private Map<String, String> environment(Container container) {
        Map<String, String> env =
                new LinkedHashMap<>(PodEnvironment.of(client, pod, container, ip, settings.nodeName()));
        if (PlatformImage.matches(container.getImage())
                && (container.getCommand() == null || container.getCommand().isEmpty())
                && settings.platformAppDir().isPresent()) {
            Path podDir = podDirectory();
            env.putAll(PlatformImage.environment(
                    settings.platformAppDir().get(),
                    container,
                    ip,
                    podDir,
                    PlatformImage.serviceAccountKubeconfig(client, pod, podDir, settings.registersNodes())));
            env.merge("JAVA_OPTS", PlatformImage.listenerOptions(ip), (own, listeners) -> own + " " + listeners);
        }
        boolean agent = container.getImage() != null && container.getImage().contains(settings.agentImageMarker());
        if (agent && !settings.modelEnv().isEmpty()) {
            List<String> missing = new ArrayList<>();
            settings.modelEnv().forEach((k, v) -> {
                if (env.get(k) == null || env.get(k).isBlank()) {
                    env.put(k, v);
                    missing.add(k);
                }
            });
            if (!missing.isEmpty()) {
                LOG.infof("pod %s/%s: %s not set; using local mode's offline demo model", ns, name, missing);
            }
        }
        return env;
    }

    private void volumes(String describe) {
        pod.getSpec().getVolumes().stream()
                .filter(v -> v.getPersistentVolumeClaim() != null)
                .forEach(v -> LOG.infof(
                        "%s: volume %s (PVC %s) is a directory under %s; mount paths are not honoured in local mode",
                        describe,
                        v.getName(),
                        v.getPersistentVolumeClaim().getClaimName(),
                        settings.dataDir().resolve("volumes")));
    }

    /** The Pod's own folder: its containers' logs, its scratch space and its credentials. */
    private Path podDirectory() {
        return settings.dataDir().resolve("pods").resolve(ns + "_" + name);
    }

    private Path logFile(Container container) {
        Path dir = podDirectory();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(container.getName() + ".log");
    }

    // ---- status ----

    private ObjectNode pending(Container c, Instant startTime, String reason, String message) {
        ObjectNode s = base("Pending", startTime);
        conditions(s, false, false, "ContainersNotReady", message);
        ObjectNode cs = containerStatus(s, c, false, 0);
        cs.putObject("state").putObject("waiting").put("reason", reason).put("message", message);
        return s;
    }

    private ObjectNode running(Container c, Instant startTime, Instant started, boolean ready, int restarts) {
        ObjectNode s = base("Running", startTime);
        conditions(
                s,
                true,
                ready,
                ready ? null : "ContainersNotReady",
                ready ? null : "containers with unready status: [" + c.getName() + "]");
        ObjectNode cs = containerStatus(s, c, ready, restarts);
        cs.put("started", true).put("containerID", "local://" + process.pid());
        cs.putObject("state").putObject("running").put("startedAt", started.toString());
        return s;
    }

    private ObjectNode backingOff(Container c, Instant startTime, Instant started, int exit, int restarts) {
        ObjectNode s = base("Running", startTime);
        conditions(s, true, false, "ContainersNotReady", "containers with unready status: [" + c.getName() + "]");
        ObjectNode cs = containerStatus(s, c, false, restarts);
        cs.putObject("state")
                .putObject("waiting")
                .put("reason", "CrashLoopBackOff")
                .put("message", "back-off restarting failed container " + c.getName());
        cs.putObject("lastState")
                .putObject("terminated")
                .put("exitCode", exit)
                .put("reason", exit == 0 ? "Completed" : "Error")
                .put("startedAt", started.toString())
                .put("finishedAt", settings.clock().instant().toString());
        return s;
    }

    private ObjectNode terminated(Container c, Instant startTime, Instant started, int exit, int restarts) {
        ObjectNode s = base(exit == 0 ? "Succeeded" : "Failed", startTime);
        conditions(s, true, false, "PodCompleted", null);
        ObjectNode cs = containerStatus(s, c, false, restarts);
        cs.putObject("state")
                .putObject("terminated")
                .put("exitCode", exit)
                .put("reason", exit == 0 ? "Completed" : "Error")
                .put("startedAt", started.toString())
                .put("finishedAt", settings.clock().instant().toString());
        return s;
    }

    private ObjectNode base(String phase, Instant startTime) {
        ObjectNode s = JSON.createObjectNode()
                .put("phase", phase)
                .put("hostIP", "127.0.0.1")
                .put("podIP", ip)
                .put("startTime", startTime.toString());
        if (!settings.registersNodes()) {
            // a real API server sets the QoS class when the Pod is created, and refuses a change to it
            s.put("qosClass", "BestEffort");
        }
        s.putArray("podIPs").addObject().put("ip", ip);
        s.putArray("hostIPs").addObject().put("ip", "127.0.0.1");
        return s;
    }

    private void conditions(ObjectNode status, boolean initialized, boolean ready, String reason, String message) {
        ArrayNode list = status.putArray("conditions");
        condition(list, "PodScheduled", true, null, null);
        condition(list, "Initialized", initialized, null, null);
        condition(list, "ContainersReady", ready, reason, message);
        condition(list, "Ready", ready, reason, message);
    }

    private void condition(ArrayNode list, String type, boolean value, String reason, String message) {
        String status = value ? "True" : "False";
        String key = type + "=" + status;
        String since =
                transitions.computeIfAbsent(key, k -> settings.clock().instant().toString());
        transitions.remove(type + "=" + (value ? "False" : "True"));
        ObjectNode c = list.addObject().put("type", type).put("status", status).put("lastTransitionTime", since);
        if (reason != null) {
            c.put("reason", reason);
        } else if (settings.registersNodes()) {
            c.putNull("reason"); // a strategic merge patch keeps a field it does not name: null removes it
        }
        if (message != null) {
            c.put("message", message);
        } else if (settings.registersNodes()) {
            c.putNull("message");
        }
    }

    private static ObjectNode containerStatus(ObjectNode status, Container c, boolean ready, int restarts) {
        return status.putArray("containerStatuses")
                .addObject()
                .put("name", c.getName())
                .put("image", c.getImage())
                .put("imageID", "")
                .put("ready", ready)
                .put("restartCount", restarts)
                .put("started", false);
    }

    /**
     * Writes the Pod's status, again with back-off (0.2 s doubling to 5 s) until the API takes it: a status lost to
     * a failed write would stay wrong, as nothing else writes it until the next change. Stops when the Pod is gone
     * (404) or stopped.
     */
    private void writeStatus(ObjectNode status) {
        ObjectNode patch = JSON.createObjectNode();
        patch.set("status", status);
        long backoffMillis = 200;
        long warnedAt = 0;
        while (!stopping) {
            try {
                client.pods()
                        .inNamespace(ns)
                        .withName(name)
                        .subresource("status")
                        // a kubelet's strategic merge patch keeps the scheduler's conditions; the embedded API
                        // server approximates it, so a merge patch is what is sent there
                        .patch(
                                PatchContext.of(
                                        settings.registersNodes() ? PatchType.STRATEGIC_MERGE : PatchType.JSON_MERGE),
                                patch.toString());
                if (warnedAt != 0) {
                    LOG.infof("pod %s/%s: status written after all", ns, name);
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                long now = System.nanoTime();
                if (warnedAt == 0 || now - warnedAt > TimeUnit.SECONDS.toNanos(30)) {
                    LOG.warnf("pod %s/%s: status update failed (retrying): %s", ns, name, e.getMessage());
                    warnedAt = now;
                }
            }
            sleep(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
