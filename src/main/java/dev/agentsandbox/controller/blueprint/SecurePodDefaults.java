package dev.agentsandbox.controller.blueprint;

import java.util.List;

import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.SandboxTemplateSpec;
import io.fabric8.kubernetes.api.model.PodDNSConfigBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The secure defaults every pool and claim Pod gets (SPEC section 4): no service account token unless the template
 * asks for one, and public resolvers when the template's default NetworkPolicy applies, since that policy blocks
 * egress to the cluster's private ranges and so to cluster DNS.
 */
public final class SecurePodDefaults {

    /** Public resolvers; reachable through the default policy's public-internet egress. */
    public static final List<String> PUBLIC_DNS = List.of("8.8.8.8", "1.1.1.1");

    private SecurePodDefaults() {
    }

    /** Whether the template's sandboxes live under the default NetworkPolicy (Managed and no rules given). */
    public static boolean defaultNetworkPolicyApplies(SandboxTemplateSpec template) {
        return template.getNetworkPolicyManagement() != NetworkPolicyManagement.UNMANAGED
                && template.getNetworkPolicy() == null;
    }

    /** Applies the defaults to {@code spec} in place; values the template sets explicitly are kept. */
    public static void apply(PodSpec spec, boolean defaultNetworkPolicy) {
        if (spec.getAutomountServiceAccountToken() == null) {
            spec.setAutomountServiceAccountToken(false);
        }
        if (defaultNetworkPolicy && spec.getDnsPolicy() == null && spec.getDnsConfig() == null) {
            spec.setDnsPolicy("None");
            spec.setDnsConfig(new PodDNSConfigBuilder().withNameservers(PUBLIC_DNS).build());
        }
    }
}
