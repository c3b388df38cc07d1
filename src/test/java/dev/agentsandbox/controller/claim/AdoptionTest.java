package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.SandboxFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentsandbox.api.AdditionalPodMetadata;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
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
                        claimsOwn(member(POOL, "m", "a", 1, true)),
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
    void theAdoptionMakesTheMemberTheClaimsAndNoLongerThePools() {
        Sandbox member = member(POOL, "m", "a", 1, true);
        member.getMetadata().getLabels().put("template-label", "kept");
        member.getMetadata().setResourceVersion("7");
        String before = Serialization.asJson(member);

        JsonNode patch =
                Serialization.unmarshal(Adoption.adoption(member, CLAIM).json(), JsonNode.class);

        JsonNode metadata = patch.path("metadata");
        assertThat(metadata.path("resourceVersion").asText())
                .as("locked to the member read")
                .isEqualTo("7");
        JsonNode labels = metadata.path("labels");
        assertThat(labels.get(Labels.WARM_POOL_SANDBOX).isNull())
                .as("pool label removed")
                .isTrue();
        assertThat(labels.path(Labels.LAUNCH_TYPE).asText()).isEqualTo(Labels.LAUNCH_TYPE_WARM);
        assertThat(labels.path(Labels.CLAIM_UID).asText()).isEqualTo("alice-uid");
        assertThat(labels.path(Labels.OWNER).asText()).isEqualTo("alice-user");
        assertThat(labels.has("template-label"))
                .as("unchanged labels are not sent, so they stay")
                .isFalse();
        assertThat(metadata.path("annotations").path(Labels.POD_NAME).asText()).isEqualTo("m");
        assertThat(metadata.path("ownerReferences")).singleElement().satisfies(ref -> {
            assertThat(ref.path("kind").asText()).isEqualTo(SandboxClaim.KIND);
            assertThat(ref.path("name").asText()).isEqualTo("alice");
            assertThat(ref.path("controller").asBoolean()).isTrue();
        });
        assertThat(Serialization.asJson(member)).as("the cached member").isEqualTo(before);
    }

    @Test
    void theClaimsAdditionalPodMetadataIsMergedIntoThePodTemplate() {
        SandboxClaim claim = SandboxFixtures.claim("alice", Map.of());
        AdditionalPodMetadata extra = new AdditionalPodMetadata();
        extra.setLabels(Map.of("team", "blue"));
        extra.setAnnotations(Map.of("note", "x"));
        claim.getSpec().setAdditionalPodMetadata(extra);

        JsonNode patch = Serialization.unmarshal(
                Adoption.adoption(member(POOL, "m", "a", 1, true), claim).json(), JsonNode.class);

        JsonNode podMetadata = patch.path("spec").path("podTemplate").path("metadata");
        assertThat(podMetadata.path("labels").path("team").asText()).isEqualTo("blue");
        assertThat(podMetadata.path("annotations").path("note").asText()).isEqualTo("x");
    }

    private static Sandbox claimsOwn(Sandbox member) {
        member.getMetadata().setOwnerReferences(List.of(ClaimedSandboxes.ownerReference(CLAIM)));
        return member;
    }
}
