package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.IdleAnnotations.IdleAction;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.warmpool.PoolFixtures;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdlePolicyTest {

    @Test
    void withoutATimeoutAnywhereThereIsNoPolicy() {
        assertThat(IdlePolicy.of(claim(Map.of()), template(Map.of()))).isInstanceOf(IdlePolicy.None.class);
        assertThat(IdlePolicy.of(claim(Map.of()), null)).isInstanceOf(IdlePolicy.None.class);
        // an action alone is no policy
        assertThat(IdlePolicy.of(claim(Map.of(IdleAnnotations.IDLE_ACTION, "Delete")), template(Map.of())))
                .isInstanceOf(IdlePolicy.None.class);
    }

    @Test
    void theTemplatesTimeoutSuspendsByDefault() {
        IdlePolicy policy = IdlePolicy.of(claim(Map.of()), template(Map.of(IdleAnnotations.IDLE_TIMEOUT, "15m")));
        assertThat(policy).isEqualTo(new IdlePolicy.Active(Duration.ofMinutes(15), IdleAction.SUSPEND));
        assertThat(((IdlePolicy.Active) policy).describe()).isEqualTo("Suspend after 15m0s without requests");
    }

    @Test
    void theClaimOverridesKeyByKey() {
        SandboxTemplate template =
                template(Map.of(IdleAnnotations.IDLE_TIMEOUT, "1h", IdleAnnotations.IDLE_ACTION, "Delete"));
        assertThat(IdlePolicy.of(claim(Map.of(IdleAnnotations.IDLE_TIMEOUT, "90s")), template))
                .isEqualTo(new IdlePolicy.Active(Duration.ofSeconds(90), IdleAction.DELETE));
        assertThat(IdlePolicy.of(claim(Map.of(IdleAnnotations.IDLE_ACTION, "Suspend")), template))
                .isEqualTo(new IdlePolicy.Active(Duration.ofHours(1), IdleAction.SUSPEND));
        // a claim may bring the whole policy itself
        assertThat(IdlePolicy.of(claim(Map.of(IdleAnnotations.IDLE_TIMEOUT, "PT2S")), null))
                .isEqualTo(new IdlePolicy.Active(Duration.ofSeconds(2), IdleAction.SUSPEND));
    }

    @Test
    void aBadValueNamesTheObjectTheAnnotationTheValueAndWhy() {
        SandboxTemplate template = template(Map.of(IdleAnnotations.IDLE_TIMEOUT, "15x"));
        IdlePolicy policy = IdlePolicy.of(claim(Map.of()), template);
        assertThat(policy).isInstanceOfSatisfying(IdlePolicy.Invalid.class, invalid -> {
            assertThat(invalid.source()).isSameAs(template);
            assertThat(invalid.annotation()).isEqualTo(IdleAnnotations.IDLE_TIMEOUT);
            assertThat(invalid.value()).isEqualTo("15x");
            assertThat(invalid.message())
                    .isEqualTo("SandboxTemplate ns/tpl: annotation agents.x-k8s.io/idle-timeout: \"15x\" is not a"
                            + " duration; expected a Go duration such as 15m, 1h30m or 90s, or ISO-8601 such as PT15M;"
                            + " the idle policy is not applied");
        });
        SandboxClaim claim = claim(Map.of(IdleAnnotations.IDLE_ACTION, "Hibernate"));
        assertThat(IdlePolicy.of(claim, template(Map.of(IdleAnnotations.IDLE_TIMEOUT, "15m"))))
                .isInstanceOfSatisfying(IdlePolicy.Invalid.class, invalid -> {
                    assertThat(invalid.source()).isSameAs(claim);
                    assertThat(invalid.message())
                            .isEqualTo("SandboxClaim ns/alice: annotation agents.x-k8s.io/idle-action: \"Hibernate\""
                                    + " is not an idle action; expected Suspend or Delete; the idle policy is not"
                                    + " applied");
                });
    }

    @Test
    void aValidClaimValueHidesABadTemplateValue() {
        assertThat(IdlePolicy.of(
                        claim(Map.of(IdleAnnotations.IDLE_TIMEOUT, "5m")),
                        template(Map.of(IdleAnnotations.IDLE_TIMEOUT, "soon"))))
                .isEqualTo(new IdlePolicy.Active(Duration.ofMinutes(5), IdleAction.SUSPEND));
    }

    @Test
    void describesDurationsAsUsersWriteThem() {
        assertThat(new IdlePolicy.Active(Duration.ofSeconds(5400), IdleAction.DELETE).describe())
                .isEqualTo("Delete after 1h30m0s without requests");
        assertThat(new IdlePolicy.Active(Duration.ofMillis(2500), IdleAction.SUSPEND).describe())
                .isEqualTo("Suspend after 2.500s without requests");
    }

    static SandboxClaim claim(Map<String, String> annotations) {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        claim.getMetadata().setAnnotations(new HashMap<>(annotations));
        return claim;
    }

    static SandboxTemplate template(Map<String, String> annotations) {
        SandboxTemplate template = PoolFixtures.template(SandboxFixtures.NS, "tpl", "agent:1");
        template.getMetadata().setAnnotations(new HashMap<>(annotations));
        return template;
    }
}
