package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** A request for a sandbox from a warm pool. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxClaimSpec {

    @JsonPropertyDescription("The warm pool to take a sandbox from (same namespace).")
    @Required
    private WarmPoolRef warmPoolRef;

    @JsonPropertyDescription("Expiry of the claim.")
    private ClaimLifecycle lifecycle;

    @JsonPropertyDescription("Labels and annotations merged into the sandbox's Pod.")
    private AdditionalPodMetadata additionalPodMetadata;

    @JsonPropertyDescription(
            "Environment variables for the sandbox; forces a cold start and needs the template's envVarsInjectionPolicy.")
    private List<ClaimEnvVar> env;

    @JsonPropertyDescription(
            "Volumes for the sandbox; forces a cold start and needs the template's volumeClaimTemplatesPolicy.")
    private List<VolumeClaimTemplate> volumeClaimTemplates;

    public WarmPoolRef getWarmPoolRef() {
        return warmPoolRef;
    }

    public void setWarmPoolRef(WarmPoolRef warmPoolRef) {
        this.warmPoolRef = warmPoolRef;
    }

    public ClaimLifecycle getLifecycle() {
        return lifecycle;
    }

    public void setLifecycle(ClaimLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public AdditionalPodMetadata getAdditionalPodMetadata() {
        return additionalPodMetadata;
    }

    public void setAdditionalPodMetadata(AdditionalPodMetadata additionalPodMetadata) {
        this.additionalPodMetadata = additionalPodMetadata;
    }

    public List<ClaimEnvVar> getEnv() {
        return env;
    }

    public void setEnv(List<ClaimEnvVar> env) {
        this.env = env;
    }

    public List<VolumeClaimTemplate> getVolumeClaimTemplates() {
        return volumeClaimTemplates;
    }

    public void setVolumeClaimTemplates(List<VolumeClaimTemplate> volumeClaimTemplates) {
        this.volumeClaimTemplates = volumeClaimTemplates;
    }
}
