package dev.agentsandbox.controller.claim;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * On a real control plane a Pod waits for its volumes to be bound before the scheduler places it. The controller
 * tests run no provisioner, so this hands every new PVC of storage class "" a PersistentVolume reserved for it
 * ({@code claimRef}), as an administrator's static volumes would; the controller-manager binds the two.
 */
final class StaticVolumes implements AutoCloseable {

    private final KubernetesClient client;
    private SharedIndexInformer<PersistentVolumeClaim> informer;

    StaticVolumes(KubernetesClient client) {
        this.client = client;
    }

    StaticVolumes start() {
        informer = client.persistentVolumeClaims().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim pvc) {
                provide(pvc);
            }

            @Override
            public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim pvc) {}

            @Override
            public void onDelete(PersistentVolumeClaim pvc, boolean unknown) {}
        });
        return this;
    }

    private void provide(PersistentVolumeClaim pvc) {
        if (!"".equals(pvc.getSpec().getStorageClassName()) || pvc.getSpec().getVolumeName() != null) {
            return;
        }
        try {
            client.persistentVolumes()
                    .resource(new PersistentVolumeBuilder()
                            .withNewMetadata()
                            .withName("pv-" + pvc.getMetadata().getUid())
                            .endMetadata()
                            .withNewSpec()
                            .withStorageClassName("")
                            .withAccessModes(pvc.getSpec().getAccessModes())
                            .withCapacity(pvc.getSpec().getResources().getRequests())
                            .withPersistentVolumeReclaimPolicy("Retain")
                            .withNewHostPath()
                            .withPath("/tmp/agent-sandbox-test-volumes/"
                                    + pvc.getMetadata().getUid())
                            .endHostPath()
                            .withNewClaimRef()
                            .withNamespace(pvc.getMetadata().getNamespace())
                            .withName(pvc.getMetadata().getName())
                            .withUid(pvc.getMetadata().getUid())
                            .endClaimRef()
                            .endSpec()
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
