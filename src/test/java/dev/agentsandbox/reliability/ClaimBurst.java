package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.claim.ClaimFixtures;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The outcome of a claim burst: how many claims got a warm and how many a cold Sandbox, each exactly once. */
record ClaimBurst(int warm, int cold) {

    /**
     * Asserts every claim is Ready with its own Sandbox, that Sandbox is controlled by that claim alone, and no
     * Sandbox in the namespace has two claim owners (no double adoption).
     */
    static ClaimBurst assertAdoptedOnce(KubernetesClient client, String ns, List<String> claims) {
        Set<String> assigned = new HashSet<>();
        int warm = 0;
        for (String name : claims) {
            SandboxClaim claim = ClaimFixtures.live(client, ns, name);
            assertThat(ClaimFixtures.isReady(claim)).as("claim %s Ready", name).isTrue();
            String sandbox = claim.getStatus().getSandbox().getName();
            assertThat(assigned.add(sandbox))
                    .as("sandbox %s given to two claims", sandbox)
                    .isTrue();
            List<Sandbox> owned = ClaimFixtures.sandboxesOf(client, claim);
            assertThat(owned)
                    .as("sandboxes controlled by claim %s", name)
                    .singleElement()
                    .satisfies(s -> assertThat(s.getMetadata().getName()).isEqualTo(sandbox));
            if (Labels.LAUNCH_TYPE_WARM.equals(
                    owned.get(0).getMetadata().getLabels().get(Labels.LAUNCH_TYPE))) {
                warm++;
            }
        }
        for (Sandbox s : client.resources(Sandbox.class).inNamespace(ns).list().getItems()) {
            List<OwnerReference> claimOwners = s.getMetadata().getOwnerReferences() == null
                    ? List.of()
                    : s.getMetadata().getOwnerReferences().stream()
                            .filter(r -> SandboxClaim.KIND.equals(r.getKind()))
                            .toList();
            assertThat(claimOwners)
                    .as("claim owners of sandbox %s", s.getMetadata().getName())
                    .hasSizeLessThanOrEqualTo(1);
        }
        return new ClaimBurst(warm, claims.size() - warm);
    }
}
