package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A kubelet for local mode: watches every Pod and runs each as an OS process ({@link PodProcess}) on its own
 * loopback address; kills the process when the Pod is deleted or local mode stops. Besides the watch, it lists the
 * Pods every {@link #RELIST_SECONDS} seconds, as a kubelet syncs periodically: a Pod whose event a broken watch
 * lost is still started, and the process of one deleted meanwhile still stopped.
 */
public final class ProcessKubelet implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ProcessKubelet.class);
    static final int RELIST_SECONDS = 5;

    private final KubernetesClient client;
    private final KubeletSettings settings;
    private final PodAddresses addresses = new PodAddresses();
    private final Map<String, PodProcess> running = new ConcurrentHashMap<>();
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final Set<String> finishing = ConcurrentHashMap.newKeySet();
    private final ExecutorService stopper = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "process-kubelet-stop");
        t.setDaemon(true);
        return t;
    });
    private SharedIndexInformer<Pod> informer;
    private AutoCloseable volumes;
    private NodeHeartbeat heartbeat;
    private ScheduledExecutorService relister;
    private volatile boolean closed;

    public ProcessKubelet(KubernetesClient client, KubeletSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    public ProcessKubelet start() {
        Path volumeRoot = settings.dataDir().resolve("volumes");
        if (settings.registersNodes()) {
            heartbeat = new NodeHeartbeat(client, settings.nodes(), settings.clock()).start();
            volumes = new LocalPathProvisioner(client, volumeRoot).start();
        } else {
            volumes = new VolumeBinder(client, volumeRoot).start();
        }
        informer = client.pods().inAnyNamespace().runnableInformer(30_000);
        informer.addEventHandler(new ResourceEventHandler<>() {
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
                stopInBackground(pod.getMetadata().getUid(), "deleted");
            }
        });
        // not waited for: should the watch not start at all, the periodic list still runs the Pods
        informer.start().whenComplete((ignored, failure) -> {
            if (failure != null && !closed) {
                LOG.warnf(
                        "the Pod watch did not start (%s); Pods are found by the list every %d s instead",
                        failure.getMessage(), RELIST_SECONDS);
            }
        });
        relister = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "process-kubelet-relist");
            t.setDaemon(true);
            return t;
        });
        relister.scheduleWithFixedDelay(this::relist, RELIST_SECONDS, RELIST_SECONDS, TimeUnit.SECONDS);
        LOG.infof(
                "process kubelet started (%s, data in %s)",
                settings.registersNodes()
                        ? "nodes "
                                + settings.nodes().stream().map(LocalNode::name).toList()
                        : "node " + settings.nodeName(),
                settings.dataDir());
        return this;
    }

    /** Starts what the watch did not report; stops the processes of Pods that are gone (checked one by one). */
    private void relist() {
        try {
            Set<String> listed = new HashSet<>();
            for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                listed.add(pod.getMetadata().getUid());
                if (!running.containsKey(pod.getMetadata().getUid())
                        && !done.contains(pod.getMetadata().getUid())) {
                    LOG.infof(
                            "pod %s/%s found by the periodic list before the watch reported it",
                            pod.getMetadata().getNamespace(), pod.getMetadata().getName());
                }
                consider(pod);
            }
            for (Map.Entry<String, PodProcess> e : running.entrySet()) {
                // created after the list was taken, or really gone: a read of that Pod tells which
                if (!listed.contains(e.getKey()) && e.getValue().goneFromApi()) {
                    stopInBackground(e.getKey(), "deleted (found by the periodic list)");
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("periodic Pod list failed: %s", e.getMessage());
        }
    }

    private void consider(Pod pod) {
        if (closed) {
            return;
        }
        String uid = pod.getMetadata().getUid();
        if (settings.registersNodes() && !settings.runsOn(pod.getSpec().getNodeName())) {
            return; // not scheduled yet, or bound to another node
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (settings.registersNodes()) {
                if (finishing.add(uid)) {
                    stopper.execute(() -> {
                        stop(uid, "being deleted");
                        finishDeletion(pod);
                    });
                }
            } else {
                stopInBackground(uid, "being deleted");
            }
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
        PodProcess p = new PodProcess(client, settings, pod, addresses.assign(uid, ContainerLaunch.listenPorts(pod)));
        if (running.putIfAbsent(uid, p) == null) {
            if (!settings.registersNodes()) {
                bindToNode(pod);
            }
            p.start();
            if (closed) {
                // the watch or the periodic list got here as local mode stopped, after close() went over the Pods
                stop(uid, "started as local mode stopped");
            }
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

    /**
     * Graceful deletion ends here, as on a real node: once the process is stopped the Pod is deleted with grace 0,
     * on the condition that it is still the same Pod (uid), so nothing stays Terminating.
     */
    private void finishDeletion(Pod pod) {
        String path = "api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods/"
                + pod.getMetadata().getName();
        try {
            client.raw(
                    client.getMasterUrl().toString() + path,
                    "DELETE",
                    Map.of(
                            "apiVersion",
                            "v1",
                            "kind",
                            "DeleteOptions",
                            "gracePeriodSeconds",
                            0,
                            "preconditions",
                            Map.of("uid", pod.getMetadata().getUid())));
        } catch (IllegalStateException e) {
            // the client was closed under this deletion: local mode is stopping, and its Pods go with it
            LOG.debugf(
                    "pod %s: deletion not finished as the kubelet stopped: %s",
                    pod.getMetadata().getName(), e.getMessage());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                LOG.warnf(
                        "pod %s/%s: deletion not finished (%s); the periodic list retries",
                        pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.getMessage());
                finishing.remove(pod.getMetadata().getUid());
            }
        }
    }

    /**
     * Stops the Pod's process without holding up the caller: a process may take its grace period to end, and the
     * watch's events are handled one after another, so a stop in line would keep every Pod created after it waiting
     * (a namespace of hundreds of Pods deleted at once held a new Pod for seconds).
     */
    private void stopInBackground(String uid, String why) {
        try {
            stopper.execute(() -> stop(uid, why));
        } catch (RejectedExecutionException e) {
            stop(uid, why); // close() shut the stopper down: stopped here, as close() stops the rest
        }
    }

    private void stop(String uid, String why) {
        PodProcess p = running.remove(uid);
        done.add(uid);
        if (p != null) {
            LOG.infof("stopping the process of a pod that is %s", why);
            p.stop();
            // only the stop that ended the process frees its address: a second stop of the same Pod (its deletion
            // seen twice) must not hand the address to a new Pod while the process may still listen on it
            addresses.release(uid);
        }
    }

    /** How many Pods run as processes now. */
    public int runningPods() {
        return running.size();
    }

    @Override
    public void close() {
        closed = true;
        if (relister != null) {
            relister.shutdownNow();
        }
        if (informer != null) {
            informer.close();
        }
        if (heartbeat != null) {
            heartbeat.close();
        }
        if (volumes != null) {
            try {
                volumes.close();
            } catch (Exception e) {
                LOG.debugf("closing the volume binder: %s", e.getMessage());
            }
        }
        stopper.shutdown();
        running.values().parallelStream().forEach(PodProcess::stop);
        running.clear();
        try {
            // the deletions under way end before the caller closes the client they write with
            if (!stopper.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.debugf("pod deletions still under way as the kubelet stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
