package dev.agentsandbox.local.kubelet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** Binds every PersistentVolumeClaim to a directory under local mode's data folder and reports it Bound. */
final class VolumeBinder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VolumeBinder.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final Path root;
    private SharedIndexInformer<PersistentVolumeClaim> informer;

    VolumeBinder(KubernetesClient client, Path root) {
        this.client = client;
        this.root = root;
    }

    VolumeBinder start() {
        informer = everyClaim(client, this::bind);
        return this;
    }

    /**
     * An informer that hands every PersistentVolumeClaim added or changed to {@code onClaim}. A deleted claim needs
     * nothing: its directory stays, as with a Retain reclaim policy, so data is never thrown away silently.
     */
    static SharedIndexInformer<PersistentVolumeClaim> everyClaim(
            KubernetesClient client, Consumer<PersistentVolumeClaim> onClaim) {
        return client.persistentVolumeClaims()
                .inAnyNamespace()
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(PersistentVolumeClaim pvc) {
                                onClaim.accept(pvc);
                            }

                            @Override
                            public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim pvc) {
                                onClaim.accept(pvc);
                            }

                            @Override
                            public void onDelete(PersistentVolumeClaim pvc, boolean unknown) {}
                        },
                        30_000);
    }

    private void bind(PersistentVolumeClaim pvc) {
        if (pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())
                || pvc.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String ns = pvc.getMetadata().getNamespace();
        String name = pvc.getMetadata().getName();
        Path dir = VolumePaths.directory(root, ns, name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            LOG.warnf("pvc %s/%s: cannot create %s: %s", ns, name, dir, e.getMessage());
            return;
        }
        ObjectNode status = JSON.createObjectNode();
        ObjectNode s = status.putObject("status").put("phase", "Bound");
        if (pvc.getSpec() != null && pvc.getSpec().getAccessModes() != null) {
            pvc.getSpec().getAccessModes().forEach(s.putArray("accessModes")::add);
        }
        if (pvc.getSpec() != null
                && pvc.getSpec().getResources() != null
                && pvc.getSpec().getResources().getRequests() != null
                && pvc.getSpec().getResources().getRequests().get("storage") != null) {
            s.putObject("capacity")
                    .put(
                            "storage",
                            pvc.getSpec()
                                    .getResources()
                                    .getRequests()
                                    .get("storage")
                                    .toString());
        }
        try {
            if (pvc.getSpec() == null || pvc.getSpec().getVolumeName() == null) {
                // as the volume binder of a cluster does; kubectl describe shows capacity only for a bound volume
                client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName(name)
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"spec\":{\"volumeName\":\"local-"
                                        + pvc.getMetadata().getUid() + "\"}}");
            }
            client.persistentVolumeClaims()
                    .inNamespace(ns)
                    .withName(name)
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), status.toString());
            LOG.infof("pvc %s/%s bound to directory %s (mount paths are not honoured in local mode)", ns, name, dir);
        } catch (RuntimeException e) {
            LOG.warnf("pvc %s/%s: cannot report Bound: %s", ns, name, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
