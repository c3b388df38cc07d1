package dev.agentsandbox.manifests;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Whether NetworkPolicy ingress rules let a given pod (labels, namespace) reach a TCP port, as a CNI decides. */
public final class RouterAdmission {

    private RouterAdmission() {}

    /**
     * @param policyNamespace the namespace of the policy (the sandboxes'): a peer without a namespaceSelector selects
     *     pods of this namespace only
     * @param namespace the namespace of the pod that connects
     */
    public static boolean admits(
            List<NetworkPolicyIngressRule> rules,
            String policyNamespace,
            Namespace namespace,
            Map<String, String> podLabels,
            int port) {
        // The API server labels every namespace with its own name.
        Map<String, String> namespaceLabels = new HashMap<>();
        if (namespace.getMetadata().getLabels() != null) {
            namespaceLabels.putAll(namespace.getMetadata().getLabels());
        }
        namespaceLabels.put(
                "kubernetes.io/metadata.name", namespace.getMetadata().getName());
        boolean samePolicyNamespace =
                policyNamespace.equals(namespace.getMetadata().getName());
        return rules.stream()
                .anyMatch(rule -> portAllowed(rule.getPorts(), port)
                        && rule.getFrom().stream()
                                .anyMatch(peer -> peerSelects(peer, samePolicyNamespace, namespaceLabels, podLabels)));
    }

    /**
     * A peer with both selectors selects pods matching podSelector in namespaces matching namespaceSelector; a
     * podSelector alone selects pods of the policy's own namespace.
     */
    private static boolean peerSelects(
            NetworkPolicyPeer peer,
            boolean samePolicyNamespace,
            Map<String, String> namespaceLabels,
            Map<String, String> podLabels) {
        if (peer.getIpBlock() != null) {
            return false;
        }
        boolean namespaceMatches = peer.getNamespaceSelector() == null
                ? samePolicyNamespace
                : LabelSelectors.matches(peer.getNamespaceSelector(), namespaceLabels);
        return namespaceMatches
                && (peer.getPodSelector() == null || LabelSelectors.matches(peer.getPodSelector(), podLabels));
    }

    private static boolean portAllowed(List<NetworkPolicyPort> ports, int port) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        return ports.stream()
                .anyMatch(p -> (p.getProtocol() == null || "TCP".equals(p.getProtocol()))
                        && (p.getPort() == null || new IntOrString(port).equals(p.getPort())));
    }
}
