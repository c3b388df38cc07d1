package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimSpec;
import dev.agentsandbox.api.WarmPoolRef;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/** Claims and claim queries for the controller tests. */
public final class ClaimFixtures {

    private ClaimFixtures() {}

    public static SandboxClaim claim(String namespace, String name, String pool) {
        SandboxClaim claim = new SandboxClaim();
        claim.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        SandboxClaimSpec spec = new SandboxClaimSpec();
        WarmPoolRef ref = new WarmPoolRef();
        ref.setName(pool);
        spec.setWarmPoolRef(ref);
        claim.setSpec(spec);
        return claim;
    }

    public static SandboxClaim claim(String namespace, String name, String pool, String owner) {
        SandboxClaim claim = claim(namespace, name, pool);
        claim.getMetadata().setLabels(Map.of(dev.agentsandbox.api.Labels.OWNER, owner));
        return claim;
    }

    public static SandboxClaim live(KubernetesClient client, String namespace, String name) {
        return client.resources(SandboxClaim.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    public static Condition ready(SandboxClaim claim) {
        if (claim == null || claim.getStatus() == null) {
            return null;
        }
        return Conditions.find(claim.getStatus().getConditions(), Conditions.READY)
                .orElse(null);
    }

    public static boolean isReady(SandboxClaim claim) {
        Condition c = ready(claim);
        return c != null && Conditions.TRUE.equals(c.getStatus());
    }

    public static String reason(SandboxClaim claim) {
        Condition c = ready(claim);
        return c == null ? null : c.getReason();
    }

    /** Sandboxes whose controller owner is the claim. */
    public static List<Sandbox> sandboxesOf(KubernetesClient client, SandboxClaim claim) {
        return client
                .resources(Sandbox.class)
                .inNamespace(claim.getMetadata().getNamespace())
                .list()
                .getItems()
                .stream()
                .filter(s -> s.getMetadata().getOwnerReferences() != null
                        && s.getMetadata().getOwnerReferences().stream()
                                .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                                        && claim.getMetadata().getUid().equals(r.getUid())))
                .toList();
    }
}
