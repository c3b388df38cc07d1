package dev.agentsandbox.controller.template;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.SandboxNetworkPolicy;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/** The NetworkPolicy a SandboxTemplate manages for its sandboxes: its rules, or the secure default. */
public final class TemplateNetworkPolicy {

    private TemplateNetworkPolicy() {}

    /** {@code <template>-network-policy}. */
    public static String name(SandboxTemplate template) {
        return template.getMetadata().getName() + "-network-policy";
    }

    /** NameHash of the template name: the label value selecting the template's sandbox pods. */
    public static String refHash(SandboxTemplate template) {
        return NameHash.of(template.getMetadata().getName());
    }

    public static NetworkPolicy desired(SandboxTemplate template) {
        String hash = refHash(template);
        SandboxNetworkPolicy rules =
                template.getSpec() == null ? null : template.getSpec().getNetworkPolicy();
        List<NetworkPolicyIngressRule> ingress;
        List<NetworkPolicyEgressRule> egress;
        if (rules == null) {
            ingress = defaultIngress();
            egress = defaultEgress();
        } else {
            // Verbatim; an absent or empty list denies that direction, since both policy types are always set.
            ingress = rules.getIngress() == null
                    ? List.of()
                    : rules.getIngress().stream().map(Serialization::clone).toList();
            egress = rules.getEgress() == null
                    ? List.of()
                    : rules.getEgress().stream().map(Serialization::clone).toList();
        }
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName(name(template))
                .withNamespace(template.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.SANDBOX_TEMPLATE_REF_HASH, hash))
                .withOwnerReferences(Ownership.controllerReference(template))
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(Map.of(Labels.SANDBOX_TEMPLATE_REF_HASH, hash))
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .withIngress(ingress)
                .withEgress(egress)
                .endSpec()
                .build();
    }

    /** Only from the router's pods in the router's namespace (both selectors in one peer: a logical AND). */
    static List<NetworkPolicyIngressRule> defaultIngress() {
        return List.of(new NetworkPolicyIngressRuleBuilder()
                .withFrom(new NetworkPolicyPeerBuilder()
                        .withNewNamespaceSelector()
                        .withMatchLabels(
                                Map.of(TemplateDefaults.NAMESPACE_NAME_LABEL, TemplateDefaults.ROUTER_NAMESPACE))
                        .endNamespaceSelector()
                        .withNewPodSelector()
                        .withMatchLabels(TemplateDefaults.ROUTER_POD_LABELS)
                        .endPodSelector()
                        .build())
                .build());
    }

    /** The public internet (IPv4 and IPv6 minus non-public ranges), and DNS to the public resolvers. */
    static List<NetworkPolicyEgressRule> defaultEgress() {
        NetworkPolicyEgressRule internet = new NetworkPolicyEgressRuleBuilder()
                .withTo(
                        new NetworkPolicyPeerBuilder()
                                .withNewIpBlock()
                                .withCidr("0.0.0.0/0")
                                .withExcept(TemplateDefaults.NON_PUBLIC_IPV4)
                                .endIpBlock()
                                .build(),
                        new NetworkPolicyPeerBuilder()
                                .withNewIpBlock()
                                .withCidr("::/0")
                                .withExcept(TemplateDefaults.NON_PUBLIC_IPV6)
                                .endIpBlock()
                                .build())
                .build();
        // Already inside the first rule; stated on its own so DNS stays allowed if the internet rule is narrowed.
        List<NetworkPolicyPeer> resolvers = TemplateDefaults.PUBLIC_DNS.stream()
                .map(ip -> new NetworkPolicyPeerBuilder()
                        .withNewIpBlock()
                        .withCidr(ip + "/32")
                        .endIpBlock()
                        .build())
                .toList();
        NetworkPolicyEgressRule dns = new NetworkPolicyEgressRuleBuilder()
                .withTo(resolvers)
                .withPorts(
                        new NetworkPolicyPortBuilder()
                                .withProtocol("UDP")
                                .withPort(new IntOrString(53))
                                .build(),
                        new NetworkPolicyPortBuilder()
                                .withProtocol("TCP")
                                .withPort(new IntOrString(53))
                                .build())
                .build();
        return List.of(internet, dns);
    }
}
