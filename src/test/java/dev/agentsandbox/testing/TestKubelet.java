package dev.agentsandbox.testing;

import dev.agentsandbox.local.kubelet.LocalNode;
import dev.agentsandbox.local.kubelet.NodeHeartbeat;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in kubelet for controller tests: it moves Pods through their phases and gives them IPs (in 127.1.0.0/16,
 * never contacted). In automatic mode each new Pod becomes Running and Ready at once; tests can also drive a Pod
 * by hand (pending, unschedulable, not ready, succeeded, failed).
 */
public class TestKubelet implements AutoCloseable {

    private final KubernetesClient client;
    private final AtomicInteger nextIp = new AtomicInteger(1);
    private volatile boolean autoReady = true;
    private volatile String nodeName = "test-node-1";
    private final boolean scheduled;
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private SharedIndexInformer<Pod> informer;
    private NodeHeartbeat heartbeat;

    public TestKubelet(KubernetesClient client) {
        this(client, false);
    }

    /**
     * @param scheduled the API has a scheduler (a real control plane): the kubelet registers its Node, acts only on
     *        Pods bound to it, and finishes their graceful deletion, as a kubelet must there
     */
    public TestKubelet(KubernetesClient client, boolean scheduled) {
        this.client = client;
        this.scheduled = scheduled;
    }

    public TestKubelet start() {
        if (scheduled) {
            heartbeat = new NodeHeartbeat(client, List.of(LocalNode.systemPool(nodeName)), Clock.systemUTC()).start();
        }
        informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (scheduled) {
                    onScheduledPod(pod);
                } else if (autoReady && pod.getStatus() == null
                        || autoReady && pod.getStatus().getPhase() == null) {
                    running(pod, true);
                }
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                if (scheduled) {
                    onScheduledPod(pod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {}
        });
        return this;
    }

    private void onScheduledPod(Pod pod) {
        if (!nodeName.equals(pod.getSpec().getNodeName())) {
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // the "containers" stopped at once: end the graceful deletion, as a kubelet does
            client.resource(pod).withGracePeriod(0).delete();
            return;
        }
        if (autoReady && started.add(pod.getMetadata().getUid())) {
            running(pod, true);
        }
    }

    /** Whether new Pods become Running and Ready by themselves. */
    public TestKubelet autoReady(boolean value) {
        this.autoReady = value;
        return this;
    }

    /** The node new Pods are placed on. */
    public TestKubelet node(String name) {
        this.nodeName = name;
        return this;
    }

    public void running(Pod pod, boolean ready) {
        int n = nextIp.getAndIncrement();
        String ip = "127.1." + (n / 250) + "." + (n % 250 + 1);
        write(
                pod,
                new PodStatusBuilder()
                        .withPhase("Running")
                        .withPodIP(ip)
                        .withPodIPs(new PodIPBuilder().withIp(ip).build())
                        .withHostIP("127.0.0.1")
                        .withStartTime(Instant.now().toString())
                        .withConditions(
                                condition("PodScheduled", "True", null),
                                condition("Ready", ready ? "True" : "False", null))
                        .build(),
                true);
    }

    public void notReady(Pod pod) {
        Pod live = live(pod);
        PodStatus status = live.getStatus();
        status.setConditions(List.of(condition("PodScheduled", "True", null), condition("Ready", "False", null)));
        write(live, status, false);
    }

    public void unschedulable(Pod pod) {
        write(
                pod,
                new PodStatusBuilder()
                        .withPhase("Pending")
                        .withConditions(new PodConditionBuilder()
                                .withType("PodScheduled")
                                .withStatus("False")
                                .withReason("Unschedulable")
                                .withMessage("0/1 nodes are available")
                                .build())
                        .build(),
                false);
    }

    public void succeeded(Pod pod) {
        terminal(pod, "Succeeded");
    }

    public void failed(Pod pod) {
        terminal(pod, "Failed");
    }

    private void terminal(Pod pod, String phase) {
        write(
                pod,
                new PodStatusBuilder()
                        .withPhase(phase)
                        .withConditions(
                                condition("PodScheduled", "True", null), condition("Ready", "False", "PodCompleted"))
                        .build(),
                false);
    }

    private static PodCondition condition(String type, String status, String reason) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .build();
    }

    private Pod live(Pod pod) {
        return client.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .get();
    }

    /**
     * Places the Pod (if asked) and writes its status, as a kubelet does, retrying on conflicts: the controller may
     * change the Pod in between (adopting it sets an owner reference), and a lost write would leave it Pending.
     */
    private void write(Pod pod, PodStatus status, boolean schedule) {
        for (int attempt = 1; ; attempt++) {
            try {
                Pod live = live(pod);
                if (live == null) {
                    return;
                }
                if (schedule
                        && !scheduled
                        && live.getSpec() != null
                        && live.getSpec().getNodeName() == null) {
                    live.getSpec().setNodeName(nodeName);
                    live = client.resource(live).update();
                }
                live.setStatus(status);
                client.resource(live).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        if (heartbeat != null) {
            heartbeat.close();
            // the test's node leaves the shared cluster; the pod garbage collector removes what was bound to it
            client.nodes().withName(nodeName).delete();
        }
    }
}
