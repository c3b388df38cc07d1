package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.SandboxFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AdoptionTest {

    static final SandboxWarmPool POOL = SandboxFixtures.pool("pool", 1);
    static final SandboxClaim CLAIM = SandboxFixtures.claim("alice", Map.of(Labels.OWNER, "alice-user"));

    static Stream<Arguments> liveSandboxes() {
        Sandbox deleting = member(POOL, "m", "a", 1, true);
        deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        return Stream.of(
                argumentSet("not found", null, Adoption.Outcome.GONE, "sandbox ns/m no longer exists"),
                argumentSet(
                        "already the claim's",
                        Adoption.adopted(member(POOL, "m", "a", 1, true), CLAIM),
                        Adoption.Outcome.ADOPTED,
                        null),
                argumentSet(
                        "another claim's",
                        SandboxFixtures.claimed("m", "a", "bob"),
                        Adoption.Outcome.LOST,
                        "sandbox ns/m is already owned by SandboxClaim claim-of-m"),
                argumentSet("being deleted", deleting, Adoption.Outcome.GONE, "sandbox ns/m is being deleted"));
    }

    @ParameterizedTest
    @MethodSource("liveSandboxes")
    void theLiveSandboxDecidesBeforeAnyWrite(Sandbox live, Adoption.Outcome outcome, String detail) {
        Adoption.Result result = Adoption.decide(CLAIM, "ns/m", live);

        assertThat(result.outcome()).isEqualTo(outcome);
        assertThat(result.detail()).isEqualTo(detail);
    }

    @Test
    void aFreePoolMemberIsLeftToTheWrite() {
        assertThat(Adoption.decide(CLAIM, "ns/m", member(POOL, "m", "a", 1, true)))
                .isNull();
    }

    @Test
    void anAdoptedMemberIsTheClaimsAndNoLongerThePools() {
        Sandbox member = member(POOL, "m", "a", 1, true);
        member.getMetadata().getLabels().put("template-label", "kept");

        Sandbox adopted = Adoption.adopted(member, CLAIM);

        assertThat(adopted.getMetadata().getLabels())
                .doesNotContainKey(Labels.WARM_POOL_SANDBOX)
                .containsEntry(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM)
                .containsEntry(Labels.CLAIM_UID, "alice-uid")
                .containsEntry(Labels.OWNER, "alice-user")
                .containsEntry("template-label", "kept");
        assertThat(adopted.getMetadata().getAnnotations()).containsEntry(Labels.POD_NAME, "m");
        assertThat(adopted.getMetadata().getOwnerReferences())
                .singleElement()
                .extracting(OwnerReference::getKind, OwnerReference::getName, OwnerReference::getController)
                .containsExactly(SandboxClaim.KIND, "alice", true);
        assertThat(member.getMetadata().getLabels()).as("the cached member").containsKey(Labels.WARM_POOL_SANDBOX);
    }
}
