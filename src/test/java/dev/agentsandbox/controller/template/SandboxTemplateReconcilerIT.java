package dev.agentsandbox.controller.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.SandboxNetworkPolicy;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateSpec;
import dev.agentsandbox.controller.sandbox.SandboxControllerTestProfile;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SandboxTemplate controller's NetworkPolicy against the embedded API server. */
@QuarkusTest
@TestProfile(SandboxControllerTestProfile.class)
@WithEmbeddedApiServer(namespace = SandboxTemplateReconcilerIT.NS)
class SandboxTemplateReconcilerIT {

    static final String NS = "templates";
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    @Test
    void defaultPolicyEqualsTheSpecFieldByField() {
        SandboxTemplate template = client.resource(template("plain")).create();

        NetworkPolicy policy = awaitPolicy("plain-network-policy");
        String hash = NameHash.of("plain");
        assertThat(policy.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("SandboxTemplate");
            assertThat(ref.getApiVersion()).isEqualTo("extensions.agents.x-k8s.io/v1beta1");
            assertThat(ref.getName()).isEqualTo("plain");
            assertThat(ref.getUid()).isEqualTo(template.getMetadata().getUid());
            assertThat(ref.getController()).isTrue();
        });
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of(Labels.SANDBOX_TEMPLATE_REF_HASH, hash));
        assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");

        // Ingress: only from pods app=sandbox-router in namespace agent-sandbox-system (one peer: both must match).
        assertThat(policy.getSpec().getIngress()).hasSize(1);
        NetworkPolicyIngressRule ingress = policy.getSpec().getIngress().get(0);
        assertThat(ingress.getPorts()).isNullOrEmpty();
        assertThat(ingress.getFrom()).hasSize(1);
        NetworkPolicyPeer from = ingress.getFrom().get(0);
        assertThat(from.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "agent-sandbox-system"));
        assertThat(from.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app", "sandbox-router"));
        assertThat(from.getIpBlock()).isNull();

        // Egress: the public internet over IPv4 and IPv6, and DNS to the public resolvers.
        assertThat(policy.getSpec().getEgress()).hasSize(2);
        NetworkPolicyEgressRule internet = policy.getSpec().getEgress().get(0);
        assertThat(internet.getPorts()).isNullOrEmpty();
        assertThat(internet.getTo())
                .extracting(NetworkPolicyPeer::getIpBlock)
                .containsExactly(
                        new IPBlock(
                                "0.0.0.0/0",
                                List.of(
                                        "10.0.0.0/8",
                                        "172.16.0.0/12",
                                        "192.168.0.0/16",
                                        "169.254.0.0/16",
                                        "100.64.0.0/10")),
                        new IPBlock("::/0", List.of("fc00::/7", "fe80::/10")));
        assertThat(internet.getTo()).allSatisfy(peer -> {
            assertThat(peer.getPodSelector()).isNull();
            assertThat(peer.getNamespaceSelector()).isNull();
        });
        NetworkPolicyEgressRule dns = policy.getSpec().getEgress().get(1);
        assertThat(dns.getTo()).extracting(p -> p.getIpBlock().getCidr()).containsExactly("8.8.8.8/32", "1.1.1.1/32");
        assertThat(dns.getTo())
                .extracting(p -> p.getIpBlock().getCidr())
                .containsExactlyElementsOf(TemplateDefaults.PUBLIC_DNS.stream()
                        .map(ip -> ip + "/32")
                        .toList());
        assertThat(dns.getPorts())
                .extracting(NetworkPolicyPort::getProtocol, NetworkPolicyPort::getPort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("UDP", new IntOrString(53)),
                        org.assertj.core.groups.Tuple.tuple("TCP", new IntOrString(53)));

        // The template carries its ref hash.
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.resources(SandboxTemplate.class)
                        .inNamespace(NS)
                        .withName("plain")
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry(Labels.SANDBOX_TEMPLATE_REF_HASH, hash));
        assertThat(TemplateDefaults.usesDefaultPolicy(template)).isTrue();
    }

    @Test
    void customRulesAppearVerbatimAndAnEmptyListDenies() {
        NetworkPolicyIngressRule ingress = new NetworkPolicyIngressRuleBuilder()
                .addNewFrom()
                .withNewNamespaceSelector()
                .addToMatchLabels("kubernetes.io/metadata.name", "agent-sandbox-system")
                .endNamespaceSelector()
                .withNewPodSelector()
                .addToMatchLabels("app", "sandbox-router")
                .endPodSelector()
                .endFrom()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(new IntOrString(8080))
                .endPort()
                .build();
        SandboxTemplate template = template("custom");
        SandboxNetworkPolicy rules = new SandboxNetworkPolicy();
        rules.setIngress(List.of(ingress));
        rules.setEgress(List.of());
        template.getSpec().setNetworkPolicy(rules);
        client.resource(template).create();

        NetworkPolicy policy = awaitPolicy("custom-network-policy");
        assertThat(Serialization.asJson(policy.getSpec().getIngress()))
                .isEqualTo(Serialization.asJson(List.of(ingress)));
        assertThat(policy.getSpec().getEgress())
                .as("empty list: all egress denied")
                .isEmpty();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");

        // A rule change reaches the policy.
        NetworkPolicyEgressRule https = new NetworkPolicyEgressRuleBuilder()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(new IntOrString(443))
                .endPort()
                .build();
        editTemplate("custom", t -> {
            t.getSpec().getNetworkPolicy().setEgress(List.of(https));
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(Serialization.asJson(client.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(NS)
                        .withName("custom-network-policy")
                        .get()
                        .getSpec()
                        .getEgress()))
                .isEqualTo(Serialization.asJson(List.of(https))));
    }

    @Test
    void unmanagedRemovesOnlyItsOwnPolicy() {
        client.resource(template("switch")).create();
        awaitPolicy("switch-network-policy");
        editTemplate("switch", t -> {
            t.getSpec().setNetworkPolicyManagement(NetworkPolicyManagement.UNMANAGED);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(NS)
                        .withName("switch-network-policy")
                        .get())
                .isNull());
    }

    @Test
    void aForeignPolicyWithTheSameNameIsLeftUnchangedAndReported() {
        // The owner must exist: the API server's garbage collector deletes dependents of a missing owner.
        client.resource(FIREWALL_CRD).createOr(existing -> existing.update());
        GenericKubernetesResource firewall = await().atMost(WAIT)
                .ignoreExceptions()
                .until(
                        () -> client.genericKubernetesResources("example.com/v1", "Firewall")
                                .inNamespace(NS)
                                .resource(new GenericKubernetesResourceBuilder()
                                        .withApiVersion("example.com/v1")
                                        .withKind("Firewall")
                                        .withNewMetadata()
                                        .withName("corp")
                                        .withNamespace(NS)
                                        .endMetadata()
                                        .build())
                                .create(),
                        f -> f != null);
        OwnerReference theirs = new OwnerReferenceBuilder()
                .withApiVersion("example.com/v1")
                .withKind("Firewall")
                .withName("corp")
                .withUid(firewall.getMetadata().getUid())
                .withController(true)
                .build();
        NetworkPolicy foreign = client.resource(new NetworkPolicyBuilder()
                        .withNewMetadata()
                        .withName("taken-network-policy")
                        .withNamespace(NS)
                        .withOwnerReferences(theirs)
                        .endMetadata()
                        .withNewSpec()
                        .withNewPodSelector()
                        .endPodSelector()
                        .withPolicyTypes("Ingress")
                        .endSpec()
                        .build())
                .create();
        client.resource(template("taken")).create();

        await().atMost(WAIT).untilAsserted(() -> assertThat(events("taken")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("NetworkPolicyConflict");
            assertThat(e.getMessage()).contains("taken-network-policy", "Firewall/corp", "SandboxTemplate taken");
        }));
        NetworkPolicy after = client.network()
                .v1()
                .networkPolicies()
                .inNamespace(NS)
                .withName("taken-network-policy")
                .get();
        assertThat(after.getMetadata().getResourceVersion())
                .isEqualTo(foreign.getMetadata().getResourceVersion());
        assertThat(after.getSpec()).isEqualTo(foreign.getSpec());

        // Unmanaged never deletes a policy it does not own.
        editTemplate("taken", t -> {
            t.getSpec().setNetworkPolicyManagement(NetworkPolicyManagement.UNMANAGED);
        });
        await().during(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> assertThat(client.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(NS)
                        .withName("taken-network-policy")
                        .get())
                .isNotNull());
    }

    /** A foreign kind that owns NetworkPolicies (another controller's). */
    static final String FIREWALL_CRD =
            """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: firewalls.example.com}
            spec:
              group: example.com
              names: {kind: Firewall, plural: firewalls, singular: firewall}
              scope: Namespaced
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """;

    /** Read, change, write; again when the controller wrote in between (409). */
    private void editTemplate(String name, java.util.function.Consumer<SandboxTemplate> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(SandboxTemplate.class)
                        .inNamespace(NS)
                        .withName(name)
                        .edit(t -> {
                            change.accept(t);
                            return t;
                        });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private NetworkPolicy awaitPolicy(String name) {
        return await().atMost(WAIT)
                .until(
                        () -> client.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(NS)
                                .withName(name)
                                .get(),
                        p -> p != null);
    }

    private List<Event> events(String template) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> template.equals(e.getInvolvedObject().getName())
                        && "SandboxTemplate".equals(e.getInvolvedObject().getKind()))
                .toList();
    }

    static SandboxTemplate template(String name) {
        SandboxTemplate template = new SandboxTemplate();
        template.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        SandboxTemplateSpec spec = new SandboxTemplateSpec();
        PodTemplate pod = new PodTemplate();
        pod.setSpec(new PodSpecBuilder()
                .withContainers(new ContainerBuilder()
                        .withName("agent")
                        .withImage("agent-sandbox-agent:test")
                        .build())
                .build());
        spec.setPodTemplate(pod);
        template.setSpec(spec);
        return template;
    }
}
