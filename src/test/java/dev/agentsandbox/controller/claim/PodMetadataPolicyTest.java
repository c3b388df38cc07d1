package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.AdditionalPodMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodMetadataPolicyTest {

    PodMetadataPolicy policy = new PodMetadataPolicy(List.of("sandbox.users.io"));

    @Test
    void labelsInTheAllowedDomainAndItsSubdomainsPass() {
        assertThat(policy.check(labels(Map.of("sandbox.users.io/team", "a", "x.sandbox.users.io/y", "b"))))
                .isEmpty();
        assertThat(policy.check(null)).isEmpty();
    }

    @Test
    void labelsOutsideTheDomainAreRefusedByKey() {
        assertThat(policy.check(labels(Map.of("team", "a"))))
                .hasValueSatisfying(m -> assertThat(m).contains("[team]"));
        assertThat(policy.check(labels(Map.of("evilsandbox.users.io/x", "a")))).isPresent();
        assertThat(policy.check(labels(Map.of("agents.x-k8s.io/owner", "mallory"))))
                .isPresent();
    }

    @Test
    void theRouterLabelIsRefusedByName() {
        assertThat(policy.check(labels(Map.of("app", "sandbox-router"))))
                .hasValueSatisfying(m -> assertThat(m).contains("app=sandbox-router"));
    }

    @Test
    void reservedAnnotationDomainsAreRefused() {
        for (String key : List.of(
                "kubernetes.io/x",
                "pod.kubernetes.io/x",
                "k8s.io/x",
                "agents.x-k8s.io/pod-name",
                "extensions.agents.x-k8s.io/x")) {
            AdditionalPodMetadata m = new AdditionalPodMetadata();
            m.setAnnotations(Map.of(key, "v"));
            assertThat(policy.check(m)).as(key).isPresent();
        }
        AdditionalPodMetadata ok = new AdditionalPodMetadata();
        ok.setAnnotations(Map.of("example.com/note", "v", "plain", "v"));
        assertThat(policy.check(ok)).isEmpty();
    }

    @Test
    void theAllowedDomainsAreConfigurable() {
        PodMetadataPolicy custom = new PodMetadataPolicy(List.of("corp.example"));
        assertThat(custom.check(labels(Map.of("corp.example/team", "a")))).isEmpty();
        assertThat(custom.check(labels(Map.of("sandbox.users.io/team", "a")))).isPresent();
    }

    private static AdditionalPodMetadata labels(Map<String, String> labels) {
        AdditionalPodMetadata m = new AdditionalPodMetadata();
        m.setLabels(labels);
        return m;
    }
}
