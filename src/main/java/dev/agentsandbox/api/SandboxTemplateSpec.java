package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** A reusable sandbox blueprint with its network and injection policies. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxTemplateSpec extends SandboxBlueprint {

    @JsonPropertyDescription(
            "Rules of the managed NetworkPolicy; when absent the secure default applies (ingress from the router only, egress to the public internet only).")
    private SandboxNetworkPolicy networkPolicy;

    @JsonPropertyDescription(
            "Managed: one NetworkPolicy per template, owned by it; Unmanaged: none (an owned one is removed).")
    @Default("Managed")
    private NetworkPolicyManagement networkPolicyManagement;

    @JsonPropertyDescription("Whether claims may set environment variables: Allowed, Overrides or Disallowed.")
    @Default("Disallowed")
    private EnvVarsInjectionPolicy envVarsInjectionPolicy;

    @JsonPropertyDescription("Whether claims may bring volumeClaimTemplates: Disallowed, Allowed or Overrides.")
    @Default("Disallowed")
    private VolumeClaimTemplatesPolicy volumeClaimTemplatesPolicy;

    public SandboxNetworkPolicy getNetworkPolicy() {
        return networkPolicy;
    }

    public void setNetworkPolicy(SandboxNetworkPolicy networkPolicy) {
        this.networkPolicy = networkPolicy;
    }

    public NetworkPolicyManagement getNetworkPolicyManagement() {
        return networkPolicyManagement;
    }

    public void setNetworkPolicyManagement(NetworkPolicyManagement networkPolicyManagement) {
        this.networkPolicyManagement = networkPolicyManagement;
    }

    public EnvVarsInjectionPolicy getEnvVarsInjectionPolicy() {
        return envVarsInjectionPolicy;
    }

    public void setEnvVarsInjectionPolicy(EnvVarsInjectionPolicy envVarsInjectionPolicy) {
        this.envVarsInjectionPolicy = envVarsInjectionPolicy;
    }

    public VolumeClaimTemplatesPolicy getVolumeClaimTemplatesPolicy() {
        return volumeClaimTemplatesPolicy;
    }

    public void setVolumeClaimTemplatesPolicy(VolumeClaimTemplatesPolicy volumeClaimTemplatesPolicy) {
        this.volumeClaimTemplatesPolicy = volumeClaimTemplatesPolicy;
    }
}
