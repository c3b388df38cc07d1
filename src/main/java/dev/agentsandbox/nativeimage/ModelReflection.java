package dev.agentsandbox.nativeimage;

import dev.agentsandbox.api.AdditionalPodMetadata;
import dev.agentsandbox.api.ClaimEnvVar;
import dev.agentsandbox.api.ClaimLifecycle;
import dev.agentsandbox.api.ClaimShutdownPolicy;
import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.EnvVarsInjectionPolicy;
import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxBlueprint;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimSpec;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.api.SandboxNetworkPolicy;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateRef;
import dev.agentsandbox.api.SandboxTemplateSpec;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolSpec;
import dev.agentsandbox.api.SandboxWarmPoolStatus;
import dev.agentsandbox.api.ShutdownPolicy;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.api.VolumeClaimMetadata;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.api.VolumeClaimTemplatesPolicy;
import dev.agentsandbox.api.WarmPoolRef;
import dev.agentsandbox.api.WarmPoolUpdateStrategy;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Registers the CRD model for reflection in the native executable. Jackson (through the fabric8 client, the
 * informers and the router's cache) reads and writes these classes by reflection; the operator SDK registers only
 * the primary resources of the reconcilers it sees, not the spec, status and enum types of resources that are
 * only read or built as dependents (the router, for example, has no reconciler at all). The fabric8 model types
 * used inside (PodSpec, NetworkPolicy rules) are registered by the Kubernetes client extension.
 * {@code ModelReflectionTest} fails when a class of {@code dev.agentsandbox.api} is missing here.
 */
@RegisterForReflection(
        targets = {
            Sandbox.class,
            SandboxSpec.class,
            SandboxStatus.class,
            SandboxBlueprint.class,
            PodTemplate.class,
            PodTemplateMetadata.class,
            VolumeClaimTemplate.class,
            VolumeClaimMetadata.class,
            SandboxTemplate.class,
            SandboxTemplateSpec.class,
            SandboxNetworkPolicy.class,
            SandboxClaim.class,
            SandboxClaimSpec.class,
            SandboxClaimStatus.class,
            ClaimedSandbox.class,
            ClaimLifecycle.class,
            ClaimEnvVar.class,
            AdditionalPodMetadata.class,
            WarmPoolRef.class,
            SandboxWarmPool.class,
            SandboxWarmPoolSpec.class,
            SandboxWarmPoolStatus.class,
            SandboxTemplateRef.class,
            WarmPoolUpdateStrategy.class,
            ShutdownPolicy.class,
            OperatingMode.class,
            NetworkPolicyManagement.class,
            EnvVarsInjectionPolicy.class,
            VolumeClaimTemplatesPolicy.class,
            ClaimShutdownPolicy.class,
            UpdateStrategyType.class
        },
        registerFullHierarchy = true)
public final class ModelReflection {

    private ModelReflection() {}
}
