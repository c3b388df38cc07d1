package dev.agentsandbox.controller.blueprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.SandboxNetworkPolicy;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateSpec;
import dev.agentsandbox.controller.template.TemplateDefaults;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateBlueprintTest {

    @Test
    void specIsCopiedWithSecureDefaults() {
        TemplateBlueprint blueprint = TemplateBlueprint.of(template("agent:1"));
        var pod = blueprint.spec().getPodTemplate().getSpec();
        assertThat(pod.getContainers()).singleElement().satisfies(c -> assertThat(c.getImage())
                .isEqualTo("agent:1"));
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getDnsPolicy()).isEqualTo("None");
        assertThat(pod.getDnsConfig().getNameservers()).isEqualTo(TemplateDefaults.PUBLIC_DNS);
        assertThat(blueprint.refHash()).isEqualTo(NameHash.of("tpl"));
        assertThat(blueprint.hash()).matches("[0-9a-f]{8}");
    }

    @Test
    void explicitTemplateValuesWin() {
        SandboxTemplate template = template("agent:1");
        template.getSpec().getPodTemplate().getSpec().setAutomountServiceAccountToken(true);
        template.getSpec().getPodTemplate().getSpec().setDnsPolicy("ClusterFirst");
        var pod = TemplateBlueprint.of(template).spec().getPodTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(pod.getDnsConfig()).isNull();
    }

    @Test
    void noPublicDnsWithoutTheDefaultPolicy() {
        SandboxTemplate custom = template("agent:1");
        custom.getSpec().setNetworkPolicy(new SandboxNetworkPolicy());
        assertThat(TemplateBlueprint.of(custom)
                        .spec()
                        .getPodTemplate()
                        .getSpec()
                        .getDnsPolicy())
                .isNull();
        SandboxTemplate unmanaged = template("agent:1");
        unmanaged.getSpec().setNetworkPolicyManagement(NetworkPolicyManagement.UNMANAGED);
        assertThat(TemplateBlueprint.of(unmanaged)
                        .spec()
                        .getPodTemplate()
                        .getSpec()
                        .getDnsPolicy())
                .isNull();
    }

    @Test
    void templateMetadataDoesNotChangeTheHash() {
        SandboxTemplate a = template("agent:1");
        SandboxTemplate b = template("agent:1");
        b.getMetadata().setLabels(Map.of("team", "a"));
        b.getMetadata().setAnnotations(Map.of("note", "x"));
        b.getMetadata().setResourceVersion("42");
        b.getMetadata().setGeneration(7L);
        assertThat(TemplateBlueprint.of(b).hash())
                .isEqualTo(TemplateBlueprint.of(a).hash());
    }

    @Test
    void specChangesChangeTheHash() {
        String base = TemplateBlueprint.of(template("agent:1")).hash();
        assertThat(TemplateBlueprint.of(template("agent:2")).hash()).isNotEqualTo(base);
        SandboxTemplate service = template("agent:1");
        service.getSpec().setService(true);
        assertThat(TemplateBlueprint.of(service).hash()).isNotEqualTo(base);
    }

    @Test
    void hashIsCanonicalAcrossMapOrderAndEmptyValues() {
        SandboxTemplate a = template("agent:1");
        Map<String, String> ordered = new LinkedHashMap<>();
        ordered.put("a", "1");
        ordered.put("b", "2");
        a.getSpec().getPodTemplate().getMetadata().setLabels(ordered);
        SandboxTemplate b = template("agent:1");
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("b", "2");
        reversed.put("a", "1");
        b.getSpec().getPodTemplate().getMetadata().setLabels(reversed);
        b.getSpec().getPodTemplate().getMetadata().setAnnotations(Map.of());
        assertThat(TemplateBlueprint.of(b).hash())
                .isEqualTo(TemplateBlueprint.of(a).hash());
        // As read back from the API server (JSON round trip).
        SandboxTemplate roundTrip = Serialization.unmarshal(Serialization.asJson(a), SandboxTemplate.class);
        assertThat(TemplateBlueprint.of(roundTrip).hash())
                .isEqualTo(TemplateBlueprint.of(a).hash());
    }

    @Test
    void theTemplateIsNotModified() {
        SandboxTemplate template = template("agent:1");
        String before = Serialization.asJson(template);
        TemplateBlueprint blueprint = TemplateBlueprint.of(template);
        blueprint.spec().getPodTemplate().getSpec().setHostname("changed");
        assertThat(Serialization.asJson(template)).isEqualTo(before);
        assertThat(blueprint.spec().getPodTemplate().getSpec().getHostname()).isNull();
    }

    @Test
    void builtOncePerVersionOfTheTemplate() {
        SandboxTemplate v1 = template("agent:1");
        v1.getMetadata().setUid("uid-memo");
        v1.getMetadata().setResourceVersion("7");
        TemplateBlueprint first = TemplateBlueprint.of(v1);
        assertThat(TemplateBlueprint.of(Serialization.clone(v1))).isSameAs(first);

        SandboxTemplate v2 = template("agent:2");
        v2.getMetadata().setUid("uid-memo");
        v2.getMetadata().setResourceVersion("8");
        TemplateBlueprint second = TemplateBlueprint.of(v2);
        assertThat(second).isNotSameAs(first);
        assertThat(second.hash()).isNotEqualTo(first.hash());
        assertThat(second.spec()
                        .getPodTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("agent:2");
        // what a caller does with its copy of the spec does not reach the next caller
        first.spec().getPodTemplate().getSpec().getContainers().get(0).setImage("changed");
        assertThat(TemplateBlueprint.of(v2)
                        .spec()
                        .getPodTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("agent:2");
    }

    static SandboxTemplate template(String image) {
        SandboxTemplate template = new SandboxTemplate();
        template.setMetadata(
                new ObjectMetaBuilder().withName("tpl").withNamespace("ns").build());
        SandboxTemplateSpec spec = new SandboxTemplateSpec();
        PodTemplate pod = new PodTemplate();
        PodTemplateMetadata meta = new PodTemplateMetadata();
        meta.setLabels(Map.of("app", "agent"));
        pod.setMetadata(meta);
        pod.setSpec(new PodSpecBuilder()
                .withContainers(List.of(new ContainerBuilder()
                        .withName("agent")
                        .withImage(image)
                        .build()))
                .build());
        spec.setPodTemplate(pod);
        template.setSpec(spec);
        return template;
    }
}
