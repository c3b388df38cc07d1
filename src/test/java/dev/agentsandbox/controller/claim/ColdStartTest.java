package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.SandboxFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.ClaimEnvVar;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.EnvVarsInjectionPolicy;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.VolumeClaimMetadata;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import dev.agentsandbox.controller.warmpool.PoolFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ColdStartTest {

    static final Duration WARM_WAIT = Duration.ofMillis(500);

    static Stream<Arguments> warmWaits() {
        return Stream.of(
                argumentSet("just observed, members coming", T0, true, Optional.of(WARM_WAIT)),
                argumentSet("part of the wait gone", T0.plusMillis(200), true, Optional.of(Duration.ofMillis(300))),
                argumentSet("waited long enough", T0.plusMillis(500), true, Optional.empty()),
                argumentSet("nothing on its way", T0, false, Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("warmWaits")
    void aClaimWaitsForAWarmMemberOnlyBrieflyAndOnlyWhenOneIsComing(
            Instant now, boolean membersOnTheirWay, Optional<Duration> left) {
        assertThat(ColdStart.warmWaitLeft(T0, now, WARM_WAIT, membersOnTheirWay))
                .isEqualTo(left);
    }

    @Test
    void envOrVolumeClaimTemplatesNeedAColdStart() {
        SandboxClaim plain = SandboxFixtures.claim("alice", null);
        SandboxClaim withEnv = SandboxFixtures.claim("bob", null);
        withEnv.getSpec().setEnv(List.of(env("A", "1")));
        SandboxClaim withVolumes = SandboxFixtures.claim("carol", null);
        withVolumes.getSpec().setVolumeClaimTemplates(List.of(volume("data")));
        SandboxClaim withEmptyLists = SandboxFixtures.claim("dave", null);
        withEmptyLists.getSpec().setEnv(List.of());

        assertThat(ColdStart.required(plain)).isFalse();
        assertThat(ColdStart.required(withEnv)).isTrue();
        assertThat(ColdStart.required(withVolumes)).isTrue();
        assertThat(ColdStart.required(withEmptyLists)).isFalse();
    }

    @Test
    void theColdSandboxIsTheClaimsOwn() {
        SandboxClaim claim = SandboxFixtures.claim("alice", java.util.Map.of(Labels.OWNER, "alice-user"));
        SandboxTemplate template = template();

        ColdSandbox.Result built = ColdSandbox.build(claim, template, TemplateBlueprint.of(template));

        assertThat(built.refused()).isFalse();
        assertThat(built.sandbox().getMetadata().getName()).isEqualTo("alice");
        assertThat(built.sandbox().getMetadata().getLabels())
                .containsEntry(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_COLD)
                .containsEntry(Labels.CLAIM_UID, "alice-uid")
                .containsEntry(Labels.OWNER, "alice-user");
        assertThat(ClaimedSandboxes.controlledBy(built.sandbox(), claim)).isTrue();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                argumentSet(
                        "env under Disallowed",
                        null,
                        List.of(env("A", "1")),
                        List.of(),
                        Conditions.ENV_VARS_INJECTION_REJECTED,
                        "spec.env is not allowed"),
                argumentSet(
                        "env without a name",
                        EnvVarsInjectionPolicy.ALLOWED,
                        List.of(env(" ", "1")),
                        List.of(),
                        Conditions.ENV_VARS_INJECTION_REJECTED,
                        "spec.env[0].name is required"),
                argumentSet(
                        "volumeClaimTemplates under Disallowed",
                        null,
                        List.of(),
                        List.of(volume("data")),
                        Conditions.VOLUME_CLAIM_TEMPLATES_ERROR,
                        "spec.volumeClaimTemplates is not allowed"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void theTemplatesPoliciesRefuseWhatTheyDoNotAllow(
            EnvVarsInjectionPolicy envPolicy,
            List<ClaimEnvVar> env,
            List<VolumeClaimTemplate> volumes,
            String reason,
            String problem) {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        claim.getSpec().setEnv(env);
        claim.getSpec().setVolumeClaimTemplates(volumes);
        SandboxTemplate template = template();
        template.getSpec().setEnvVarsInjectionPolicy(envPolicy);

        ColdSandbox.Result built = ColdSandbox.build(claim, template, TemplateBlueprint.of(template));

        assertThat(built.refused()).isTrue();
        assertThat(built.reason()).isEqualTo(reason);
        assertThat(built.message()).startsWith(problem);
    }

    private static SandboxTemplate template() {
        return PoolFixtures.template(SandboxFixtures.NS, "tpl", "agent:1");
    }

    private static ClaimEnvVar env(String name, String value) {
        ClaimEnvVar var = new ClaimEnvVar();
        var.setName(name);
        var.setValue(value);
        return var;
    }

    private static VolumeClaimTemplate volume(String name) {
        VolumeClaimTemplate vct = new VolumeClaimTemplate();
        VolumeClaimMetadata metadata = new VolumeClaimMetadata();
        metadata.setName(name);
        vct.setMetadata(metadata);
        return vct;
    }
}
