package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Dynamic provisioning on a real control plane, as local-path provisioners do: a default StorageClass
 * {@value #STORAGE_CLASS} whose provisioner is this class. The controller-manager's volume controller marks each
 * claim of that class for this provisioner ({@code volume.kubernetes.io/storage-provisioner}); this class creates a
 * PersistentVolume on a directory under local mode's data folder, reserved for that claim ({@code claimRef}), and the
 * volume controller binds the two. Reclaim policy Retain: data is never thrown away silently.
 */
final class LocalPathProvisioner implements AutoCloseable {

    static final String STORAGE_CLASS = "local-path";
    static final String PROVISIONER = "agent-sandbox.dev/local-path";
    private static final String PROVISIONER_ANNOTATION = "volume.kubernetes.io/storage-provisioner";
    private static final Logger LOG = Logger.getLogger(LocalPathProvisioner.class);

    private final KubernetesClient client;
    private final Path root;
    private SharedIndexInformer<PersistentVolumeClaim> informer;

    LocalPathProvisioner(KubernetesClient client, Path root) {
        this.client = client;
        this.root = root;
    }

    LocalPathProvisioner start() {
        client.storage()
                .v1()
                .storageClasses()
                .resource(new StorageClassBuilder()
                        .withNewMetadata()
                        .withName(STORAGE_CLASS)
                        .withAnnotations(Map.of("storageclass.kubernetes.io/is-default-class", "true"))
                        .endMetadata()
                        .withProvisioner(PROVISIONER)
                        .withReclaimPolicy("Retain")
                        .withVolumeBindingMode("Immediate")
                        .build())
                .createOr(existing -> existing.update());
        informer = VolumeBinder.everyClaim(client, this::provision);
        return this;
    }

    private void provision(PersistentVolumeClaim pvc) {
        Map<String, String> annotations =
                Optional.ofNullable(pvc.getMetadata().getAnnotations()).orElse(Map.of());
        if (!PROVISIONER.equals(annotations.get(PROVISIONER_ANNOTATION))
                || pvc.getSpec().getVolumeName() != null
                || pvc.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String ns = pvc.getMetadata().getNamespace();
        String name = pvc.getMetadata().getName();
        String volume = "pvc-" + pvc.getMetadata().getUid();
        Path dir = VolumePaths.directory(root, ns, name);
        Quantity size = Optional.ofNullable(pvc.getSpec().getResources())
                .map(r -> r.getRequests())
                .map(r -> r.get("storage"))
                .orElse(new Quantity("1Gi"));
        try {
            Files.createDirectories(dir);
            client.persistentVolumes()
                    .resource(new PersistentVolumeBuilder()
                            .withNewMetadata()
                            .withName(volume)
                            .withAnnotations(Map.of("pv.kubernetes.io/provisioned-by", PROVISIONER))
                            .endMetadata()
                            .withNewSpec()
                            .withCapacity(Map.of("storage", size))
                            .withAccessModes(pvc.getSpec().getAccessModes())
                            .withStorageClassName(STORAGE_CLASS)
                            .withPersistentVolumeReclaimPolicy("Retain")
                            .withVolumeMode(pvc.getSpec().getVolumeMode())
                            .withNewHostPath()
                            .withPath(dir.toAbsolutePath().toString())
                            .withType("DirectoryOrCreate")
                            .endHostPath()
                            .withNewClaimRef()
                            .withKind("PersistentVolumeClaim")
                            .withApiVersion("v1")
                            .withNamespace(ns)
                            .withName(name)
                            .withUid(pvc.getMetadata().getUid())
                            .endClaimRef()
                            .endSpec()
                            .build())
                    .create();
            LOG.infof("pvc %s/%s: provisioned volume %s on directory %s", ns, name, volume, dir);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.warnf("pvc %s/%s: cannot provision a volume: %s", ns, name, e.getMessage());
            }
        } catch (IOException e) {
            LOG.warnf("pvc %s/%s: cannot create %s: %s", ns, name, dir, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
