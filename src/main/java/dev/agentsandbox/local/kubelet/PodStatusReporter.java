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
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/** The status a kubelet reports for its Pod at each stage of the process's life, written until the API takes it. */
final class PodStatusReporter {

    private static final Logger LOG = Logger.getLogger(PodStatusReporter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final KubeletSettings settings;
    private final String ns;
    private final String name;
    private final String ip;
    private final BooleanSupplier stopping;
    private final Map<String, String> transitions = new HashMap<>();

    /** {@code stopping}: once true, a write that fails is no longer retried. */
    PodStatusReporter(KubernetesClient client, KubeletSettings settings, Pod pod, String ip, BooleanSupplier stopping) {
        this.client = client;
        this.settings = settings;
        this.ns = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.ip = ip;
        this.stopping = stopping;
    }

    /** The container has not started: it is {@code reason} (waiting) for {@code message}. */
    void reportPending(Container c, Instant startTime, String reason, String message) {
        ObjectNode s = base("Pending", startTime);
        conditions(s, false, false, "ContainersNotReady", message);
        ObjectNode cs = containerStatus(s, c, false, 0);
        cs.putObject("state").putObject("waiting").put("reason", reason).put("message", message);
        write(s);
    }

    void reportRunning(Container c, Instant startTime, Instant started, long pid, boolean ready, int restarts) {
        ObjectNode s = base("Running", startTime);
        conditions(
                s,
                true,
                ready,
                ready ? null : "ContainersNotReady",
                ready ? null : "containers with unready status: [" + c.getName() + "]");
        ObjectNode cs = containerStatus(s, c, ready, restarts);
        cs.put("started", true).put("containerID", "local://" + pid);
        cs.putObject("state").putObject("running").put("startedAt", started.toString());
        write(s);
    }

    /** The process exited and will be restarted after a back-off: CrashLoopBackOff, with the exit as last state. */
    void reportBackingOff(Container c, Instant startTime, Instant started, int exit, int restarts) {
        ObjectNode s = base("Running", startTime);
        conditions(s, true, false, "ContainersNotReady", "containers with unready status: [" + c.getName() + "]");
        ObjectNode cs = containerStatus(s, c, false, restarts);
        cs.putObject("state")
                .putObject("waiting")
                .put("reason", "CrashLoopBackOff")
                .put("message", "back-off restarting failed container " + c.getName());
        terminatedState(cs.putObject("lastState"), started, exit);
        write(s);
    }

    /** The process exited for good: Succeeded or Failed by its exit code. */
    void reportTerminated(Container c, Instant startTime, Instant started, int exit, int restarts) {
        ObjectNode s = base(exit == 0 ? "Succeeded" : "Failed", startTime);
        conditions(s, true, false, "PodCompleted", null);
        ObjectNode cs = containerStatus(s, c, false, restarts);
        terminatedState(cs.putObject("state"), started, exit);
        write(s);
    }

    private void terminatedState(ObjectNode state, Instant started, int exit) {
        state.putObject("terminated")
                .put("exitCode", exit)
                .put("reason", exit == 0 ? "Completed" : "Error")
                .put("startedAt", started.toString())
                .put("finishedAt", settings.clock().instant().toString());
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
    private void write(ObjectNode status) {
        ObjectNode patch = JSON.createObjectNode();
        patch.set("status", status);
        Backoff backoff = new Backoff(200, 5_000);
        long warnedAt = 0;
        while (!stopping.getAsBoolean()) {
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
            backoff.pause();
        }
    }
}
