package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** Desired state of a warm pool. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxWarmPoolSpec {

    @JsonPropertyDescription("Number of warm sandboxes to keep ready.")
    @Default("1")
    @Min(0)
    @SpecReplicas
    private Integer replicas;

    @JsonPropertyDescription("The template the members are built from.")
    @Required
    private SandboxTemplateRef sandboxTemplateRef;

    @JsonPropertyDescription("How stale members are handled when the template changes.")
    private WarmPoolUpdateStrategy updateStrategy;

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public SandboxTemplateRef getSandboxTemplateRef() {
        return sandboxTemplateRef;
    }

    public void setSandboxTemplateRef(SandboxTemplateRef sandboxTemplateRef) {
        this.sandboxTemplateRef = sandboxTemplateRef;
    }

    public WarmPoolUpdateStrategy getUpdateStrategy() {
        return updateStrategy;
    }

    public void setUpdateStrategy(WarmPoolUpdateStrategy updateStrategy) {
        this.updateStrategy = updateStrategy;
    }
}
