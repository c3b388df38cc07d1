package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.PodSpec;

/** The Pod a sandbox runs: metadata and a full Kubernetes PodSpec. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodTemplate {

    @JsonPropertyDescription("Labels and annotations copied to the Pod.")
    private PodTemplateMetadata metadata;

    @JsonPropertyDescription("The Pod specification, as in a Kubernetes Pod.")
    @Required
    private PodSpec spec;

    public PodTemplateMetadata getMetadata() {
        return metadata;
    }

    public void setMetadata(PodTemplateMetadata metadata) {
        this.metadata = metadata;
    }

    public PodSpec getSpec() {
        return spec;
    }

    public void setSpec(PodSpec spec) {
        this.spec = spec;
    }
}
