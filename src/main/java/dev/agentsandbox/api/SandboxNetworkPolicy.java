package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import java.util.List;

/** Ingress and egress rules for a template's sandboxes; podSelector and policyTypes are managed by the controller. An empty list denies that direction. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxNetworkPolicy {

    @JsonPropertyDescription("Allowed inbound traffic, as in a NetworkPolicy.")
    private List<NetworkPolicyIngressRule> ingress;

    @JsonPropertyDescription("Allowed outbound traffic, as in a NetworkPolicy.")
    private List<NetworkPolicyEgressRule> egress;

    public List<NetworkPolicyIngressRule> getIngress() {
        return ingress;
    }

    public void setIngress(List<NetworkPolicyIngressRule> ingress) {
        this.ingress = ingress;
    }

    public List<NetworkPolicyEgressRule> getEgress() {
        return egress;
    }

    public void setEgress(List<NetworkPolicyEgressRule> egress) {
        this.egress = egress;
    }
}
