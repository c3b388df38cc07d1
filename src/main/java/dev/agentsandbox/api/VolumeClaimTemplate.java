package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;

/** A PersistentVolumeClaim created for each sandbox and owned by it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeClaimTemplate {

    @JsonPropertyDescription("Name, labels and annotations of the claim.")
    @Required
    private VolumeClaimMetadata metadata;

    @JsonPropertyDescription("The claim specification, as in a Kubernetes PersistentVolumeClaim.")
    private PersistentVolumeClaimSpec spec;

    public VolumeClaimMetadata getMetadata() {
        return metadata;
    }

    public void setMetadata(VolumeClaimMetadata metadata) {
        this.metadata = metadata;
    }

    public PersistentVolumeClaimSpec getSpec() {
        return spec;
    }

    public void setSpec(PersistentVolumeClaimSpec spec) {
        this.spec = spec;
    }
}
