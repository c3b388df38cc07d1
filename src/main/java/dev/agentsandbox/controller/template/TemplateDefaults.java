package dev.agentsandbox.controller.template;

import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateSpec;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigBuilder;
import java.util.List;
import java.util.Map;

/**
 * The secure defaults of a SandboxTemplate's sandboxes, in one place: who may reach them, where they may go, and
 * which DNS resolvers they use when the default NetworkPolicy applies.
 */
public final class TemplateDefaults {

    private TemplateDefaults() {}

    /**
     * Public resolvers for sandbox pods under the default policy ({@code dnsPolicy: None}): the default policy allows
     * no cluster-internal traffic, so the cluster DNS service (a private address) is unreachable. The pool and claim
     * controllers put these in the pods' {@code dnsConfig}; the default policy allows DNS to exactly these.
     */
    public static final List<String> PUBLIC_DNS = List.of("8.8.8.8", "1.1.1.1");

    /** The namespace the router runs in; the only source of ingress under the default policy. */
    public static final String ROUTER_NAMESPACE = "agent-sandbox-system";

    /** The router pods' labels. */
    public static final Map<String, String> ROUTER_POD_LABELS = Map.of("app", "sandbox-router");

    /** The namespace label every namespace carries (set by the API server), used to select the router's. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    /**
     * IPv4 ranges excluded from "the public internet": RFC 1918 private networks (where pod, service and node
     * networks usually live), 169.254.0.0/16 link-local (cloud instance-metadata endpoints such as 169.254.169.254
     * hand out node credentials), and 100.64.0.0/10 shared address space (carrier-grade NAT, used by some clusters
     * and VPNs for internal addresses).
     */
    public static final List<String> NON_PUBLIC_IPV4 =
            List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10");

    /** IPv6 ranges excluded: fc00::/7 unique local addresses (the IPv6 private ranges) and fe80::/10 link-local. */
    public static final List<String> NON_PUBLIC_IPV6 = List.of("fc00::/7", "fe80::/10");

    /** Whether sandboxes of {@code template} run under the default policy (managed, no rules given). */
    public static boolean usesDefaultPolicy(SandboxTemplate template) {
        return template.getSpec() != null && usesDefaultPolicy(template.getSpec());
    }

    /** Whether sandboxes built from {@code spec} run under the default policy (managed, no rules given). */
    public static boolean usesDefaultPolicy(SandboxTemplateSpec spec) {
        return spec.getNetworkPolicyManagement() != NetworkPolicyManagement.UNMANAGED
                && spec.getNetworkPolicy() == null;
    }

    /** The {@code dnsConfig} that goes with {@code dnsPolicy: None} under the default policy. */
    public static PodDNSConfig publicDnsConfig() {
        return new PodDNSConfigBuilder().withNameservers(PUBLIC_DNS).build();
    }
}
