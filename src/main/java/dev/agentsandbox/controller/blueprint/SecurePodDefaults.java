package dev.agentsandbox.controller.blueprint;

import dev.agentsandbox.api.SandboxTemplateSpec;
import dev.agentsandbox.controller.template.TemplateDefaults;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The secure defaults every pool and claim Pod gets (docs/api.md section 4.2): no service account token unless the template
 * asks for one, and public resolvers when the template's default NetworkPolicy applies, since that policy blocks
 * egress to the cluster's private ranges and so to cluster DNS. The resolvers and the rule for when the default
 * policy applies are {@link TemplateDefaults}'s, shared with the template controller that writes that policy.
 */
public final class SecurePodDefaults {

    private SecurePodDefaults() {}

    /** Whether the template's sandboxes live under the default NetworkPolicy (Managed and no rules given). */
    public static boolean defaultNetworkPolicyApplies(SandboxTemplateSpec template) {
        return TemplateDefaults.usesDefaultPolicy(template);
    }

    /** Applies the defaults to {@code spec} in place; values the template sets explicitly are kept. */
    public static void apply(PodSpec spec, boolean defaultNetworkPolicy) {
        if (spec.getAutomountServiceAccountToken() == null) {
            spec.setAutomountServiceAccountToken(false);
        }
        if (defaultNetworkPolicy && spec.getDnsPolicy() == null && spec.getDnsConfig() == null) {
            spec.setDnsPolicy("None");
            spec.setDnsConfig(TemplateDefaults.publicDnsConfig());
        }
    }
}
