package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.MergePatch;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/** The Sandbox's one Pod: created or adopted while Running, deleted while Suspended, relabelled in place. */
final class PodDependent {

    private static final Logger LOG = Logger.getLogger(PodDependent.class);
    private static final int RELABEL_ATTEMPTS = 3;

    private final KubernetesClient client;
    private final SandboxObjects objects;
    private final Sandbox sandbox;

    PodDependent(KubernetesClient client, SandboxObjects objects) {
        this.client = client;
        this.objects = objects;
        this.sandbox = objects.sandbox();
    }

    /** The owned Pod with its metadata brought in place, or a new (or adopted) one when there is none. */
    Pod keepRunning(Pod owned) {
        if (owned != null) {
            return relabel(owned);
        }
        Pod desired = SandboxPods.desired(sandbox);
        return objects.createOrAdopt(
                desired, "Created Pod " + desired.getMetadata().getName(), live -> {
                    SandboxPodMetadata.of(sandbox).applyTo(live.getMetadata());
                    return live;
                });
    }

    /** Deletes the owned Pod (Service and volumes stay); returns a Pod of the wanted name this Sandbox does not own. */
    Pod suspend(Pod owned) {
        if (owned == null) {
            Pod live = objects.get(Pod.class, SandboxPods.podName(sandbox));
            return live != null && Ownership.of(live, sandbox) != Ownership.OWNED ? live : null;
        }
        if (!SandboxPods.isTerminating(owned) && objects.delete(owned, "suspend")) {
            objects.events()
                    .normal(
                            sandbox,
                            "PodDeleted",
                            "Deleted Pod " + owned.getMetadata().getName()
                                    + " because operatingMode is Suspended; Service and volumes are kept");
        }
        return null;
    }

    /**
     * Brings an owned Pod's labels and annotations back in place; the Pod is never restarted for metadata. The write
     * is a merge patch of the keys that change, without a resourceVersion: the kubelet writes the Pod's status all the
     * time, and the keys this controller propagates are written by nobody else. A conflict (a Pod recreated under the
     * same name in the meantime) reads the Pod again and reapplies, rather than report a transient error as
     * ReconcilerError.
     */
    private Pod relabel(Pod cached) {
        if (SandboxPods.isTerminating(cached)) {
            return cached;
        }
        SandboxPodMetadata wanted = SandboxPodMetadata.of(sandbox);
        String name = cached.getMetadata().getName();
        AtomicBoolean fromCache = new AtomicBoolean(true);
        try {
            return ApiOutcomes.retryOnConflict(RELABEL_ATTEMPTS, "relabelling Pod " + name, () -> {
                Pod current = fromCache.getAndSet(false) ? cached : readOwned(name);
                if (current == null) {
                    return null; // gone or no longer ours: the event that follows brings the next pass
                }
                // applyTo works on copies of the maps, so the cached Pod stays as it was
                ObjectMeta next = new ObjectMeta();
                next.setLabels(current.getMetadata().getLabels());
                next.setAnnotations(current.getMetadata().getAnnotations());
                if (!wanted.applyTo(next)) {
                    return current;
                }
                LOG.debugf("sandbox %s: relabelling Pod %s in place", ObjectKey.of(sandbox), name);
                return MergePatch.of(current)
                        .labels(next.getLabels())
                        .annotations(next.getAnnotations())
                        .apply(client, current);
            });
        } catch (KubernetesClientException e) {
            throw objects.failure("updating (relabel)", cached, e);
        }
    }

    private Pod readOwned(String name) {
        Pod live = objects.get(Pod.class, name);
        return live == null || Ownership.of(live, sandbox) != Ownership.OWNED ? null : live;
    }
}
