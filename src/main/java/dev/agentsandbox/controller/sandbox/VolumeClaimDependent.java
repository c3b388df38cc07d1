package dev.agentsandbox.controller.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.List;
import java.util.function.UnaryOperator;

/** The Sandbox's PersistentVolumeClaims, one per volumeClaimTemplate: created or adopted, never changed. */
final class VolumeClaimDependent {

    private final SandboxObjects objects;

    VolumeClaimDependent(SandboxObjects objects) {
        this.objects = objects;
    }

    /** Creates (or adopts) each wanted claim the Sandbox does not own yet. */
    void ensureClaims(List<PersistentVolumeClaim> owned) {
        for (PersistentVolumeClaim desired : SandboxVolumes.desired(objects.sandbox())) {
            String name = desired.getMetadata().getName();
            if (owned.stream().noneMatch(c -> name.equals(c.getMetadata().getName()))) {
                objects.createOrAdopt(desired, "Created PersistentVolumeClaim " + name, UnaryOperator.identity());
            }
        }
    }
}
