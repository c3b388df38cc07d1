package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * A kubelet for local mode: watches every Pod and runs each as an OS process ({@link PodProcess}) on its own
 * loopback address; kills the process when the Pod is deleted or local mode stops.
 */
public final class ProcessKubelet implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ProcessKubelet.class);

    private final KubernetesClient client;
    private final KubeletSettings settings;
    private final PodAddresses addresses = new PodAddresses();
    private final Map<String, PodProcess> running = new ConcurrentHashMap<>();
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private SharedIndexInformer<Pod> informer;
    private VolumeBinder volumes;

    public ProcessKubelet(KubernetesClient client, KubeletSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    public ProcessKubelet start() {
        volumes = new VolumeBinder(client, settings.dataDir().resolve("volumes")).start();
        informer = client.pods()
                .inAnyNamespace()
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Pod pod) {
                                consider(pod);
                            }

                            @Override
                            public void onUpdate(Pod oldPod, Pod pod) {
                                consider(pod);
                            }

                            @Override
                            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                                stop(pod.getMetadata().getUid(), "deleted");
                            }
                        },
                        30_000);
        LOG.infof("process kubelet started (node %s, data in %s)", settings.nodeName(), settings.dataDir());
        return this;
    }

    private void consider(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            stop(uid, "being deleted");
            return;
        }
        if (running.containsKey(uid) || done.contains(uid)) {
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase)
                || "Failed".equals(phase)
                || pod.getSpec().getContainers().isEmpty()) {
            done.add(uid);
            return;
        }
        PodProcess p = new PodProcess(client, settings, pod, addresses.assign(uid, PodProcess.listenPorts(pod)));
        if (running.putIfAbsent(uid, p) == null) {
            bindToNode(pod);
            p.start();
        }
    }

    private void bindToNode(Pod pod) {
        if (pod.getSpec().getNodeName() == null) {
            try {
                client.pods()
                        .inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName())
                        .patch(
                                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                                "{\"spec\":{\"nodeName\":\"" + settings.nodeName() + "\"}}");
            } catch (RuntimeException e) {
                LOG.debugf("pod %s: cannot set nodeName: %s", pod.getMetadata().getName(), e.getMessage());
            }
        }
    }

    private void stop(String uid, String why) {
        PodProcess p = running.remove(uid);
        done.add(uid);
        if (p != null) {
            LOG.infof("stopping the process of a pod that is %s", why);
            p.stop();
        }
        addresses.release(uid);
    }

    /** How many Pods run as processes now. */
    public int runningPods() {
        return running.size();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        if (volumes != null) {
            volumes.close();
        }
        running.values().parallelStream().forEach(PodProcess::stop);
        running.clear();
    }
}
