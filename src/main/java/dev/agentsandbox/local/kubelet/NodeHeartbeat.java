package dev.agentsandbox.local.kubelet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What a kubelet does for its Node on a real control plane: registers it (Ready, with capacity, addresses, labels and
 * taints), renews its Lease in {@code kube-node-lease} every 10 s and reports its status every minute, so that the
 * node lifecycle controller keeps it Ready and the scheduler places Pods on it.
 */
public final class NodeHeartbeat implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeHeartbeat.class);
    static final int LEASE_SECONDS = 40;
    static final int RENEW_SECONDS = 10;
    static final int STATUS_SECONDS = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final List<LocalNode> nodes;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "process-kubelet-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public NodeHeartbeat(KubernetesClient client, List<LocalNode> nodes, Clock clock) {
        this.client = client;
        this.nodes = nodes;
        this.clock = clock;
    }

    public NodeHeartbeat start() {
        nodes.forEach(this::register);
        timer.scheduleWithFixedDelay(() -> nodes.forEach(this::renewLease), 0, RENEW_SECONDS, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(
                () -> nodes.forEach(this::reportStatus), STATUS_SECONDS, STATUS_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    private void register(LocalNode node) {
        Map<String, Quantity> capacity = Map.of(
                "cpu", new Quantity(LocalNode.CPU),
                "memory", new Quantity(LocalNode.MEMORY),
                "pods", new Quantity(LocalNode.PODS),
                "ephemeral-storage", new Quantity("1Ti"));
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(node.name())
                        .withLabels(node.labels())
                        .endMetadata()
                        .withNewSpec()
                        .withTaints(node.taints())
                        .endSpec()
                        .withNewStatus()
                        .withCapacity(capacity)
                        .withAllocatable(capacity)
                        .addNewAddress("127.0.0.1", "InternalIP")
                        .addNewAddress(node.name(), "Hostname")
                        .withConditions(conditions())
                        .withNewNodeInfo()
                        .withArchitecture("amd64")
                        .withOperatingSystem("linux")
                        .withKubeletVersion(dev.agentsandbox.local.controlplane.KubeBinaries.VERSION)
                        .withKubeProxyVersion("")
                        .withContainerRuntimeVersion("agent-sandbox-process://1")
                        .withOsImage("processes on the local machine")
                        .withKernelVersion(System.getProperty("os.version"))
                        .withMachineID("")
                        .withSystemUUID("")
                        .withBootID("")
                        .endNodeInfo()
                        .endStatus()
                        .build())
                .createOr(existing -> existing.update());
        reportStatus(node);
        LOG.infof("registered node %s (labels %s, taints %s)", node.name(), node.labels(), node.taints());
    }

    /** Ready, and no memory, disk or PID pressure: what a healthy kubelet reports. */
    private List<NodeCondition> conditions() {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        return List.of(
                condition("Ready", "True", "KubeletReady", "the process kubelet is posting ready status", now),
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "no memory pressure", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "no disk pressure", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "no PID pressure", now));
    }

    private static NodeCondition condition(String type, String status, String reason, String message, String now) {
        return new NodeConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withLastHeartbeatTime(now)
                .withLastTransitionTime(now)
                .build();
    }

    private void reportStatus(LocalNode node) {
        try {
            // strategic merge: the conditions are merged by type, the transition times stay the server's
            List<java.util.Map<String, String>> heartbeat = conditions().stream()
                    .map(c -> java.util.Map.of(
                            "type", c.getType(),
                            "status", c.getStatus(),
                            "reason", c.getReason(),
                            "message", c.getMessage(),
                            "lastHeartbeatTime", c.getLastHeartbeatTime()))
                    .toList();
            client.nodes()
                    .withName(node.name())
                    .subresource("status")
                    .patch(
                            PatchContext.of(PatchType.STRATEGIC_MERGE),
                            JSON.writeValueAsString(
                                    java.util.Map.of("status", java.util.Map.of("conditions", heartbeat))));
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.warnf(
                    "node %s: status not reported (%s); retrying in %d s", node.name(), e.getMessage(), STATUS_SECONDS);
        }
    }

    private void renewLease(LocalNode node) {
        try {
            ZonedDateTime now = ZonedDateTime.now(clock);
            var lease = client.leases().inNamespace("kube-node-lease").withName(node.name());
            if (lease.get() == null) {
                lease.create(new LeaseBuilder()
                        .withNewMetadata()
                        .withName(node.name())
                        .withNamespace("kube-node-lease")
                        .endMetadata()
                        .withNewSpec()
                        .withHolderIdentity(node.name())
                        .withLeaseDurationSeconds(LEASE_SECONDS)
                        .withRenewTime(now)
                        .endSpec()
                        .build());
            } else {
                lease.edit(l -> {
                    l.getSpec().setRenewTime(now);
                    return l;
                });
            }
        } catch (RuntimeException e) {
            // caught whatever it is: an exception would end the scheduled renewals, and the node would go NotReady
            LOG.warnf("node %s: lease not renewed (%s); retrying in %d s", node.name(), e.getMessage(), RENEW_SECONDS);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
