package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.AdditionalPodMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which labels and annotations a claim may add to its Pod (docs/api.md section 6.4). Label keys need a prefix in an allowed
 * domain, so a claim cannot forge the labels that NetworkPolicies and Services select on; {@code app=sandbox-router}
 * is refused by name because it would let other sandboxes reach this one as if it were the router. Annotations in
 * the Kubernetes and agent-sandbox domains are refused because controllers act on them.
 */
final class PodMetadataPolicy {

    static final List<String> RESERVED_ANNOTATION_DOMAINS = List.of("kubernetes.io", "k8s.io", "agents.x-k8s.io");

    private final List<String> allowedLabelDomains;

    PodMetadataPolicy(List<String> allowedLabelDomains) {
        this.allowedLabelDomains = List.copyOf(allowedLabelDomains);
    }

    /** Why the metadata is refused, naming the offending key; empty when it is acceptable. */
    Optional<String> check(AdditionalPodMetadata metadata) {
        if (metadata == null) {
            return Optional.empty();
        }
        Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String key = label.getKey();
            if ("app".equals(key) && "sandbox-router".equals(label.getValue())) {
                return Optional.of("spec.additionalPodMetadata.labels: app=sandbox-router is forbidden: it would "
                        + "open the sandbox to other sandboxes");
            }
            String domain = domainOf(key);
            if (domain == null || allowedLabelDomains.stream().noneMatch(d -> inDomain(domain, d))) {
                return Optional.of("spec.additionalPodMetadata.labels[" + key + "]: label keys need a prefix in "
                        + allowedLabelDomains + " (for example " + allowedLabelDomains.get(0) + "/name)");
            }
        }
        Map<String, String> annotations = metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations();
        for (String key : annotations.keySet()) {
            String domain = domainOf(key);
            if (domain != null && RESERVED_ANNOTATION_DOMAINS.stream().anyMatch(d -> inDomain(domain, d))) {
                return Optional.of("spec.additionalPodMetadata.annotations[" + key + "]: annotations in "
                        + RESERVED_ANNOTATION_DOMAINS + " are reserved");
            }
        }
        return Optional.empty();
    }

    private static String domainOf(String key) {
        int slash = key.indexOf('/');
        return slash <= 0 ? null : key.substring(0, slash);
    }

    private static boolean inDomain(String domain, String allowed) {
        return domain.equals(allowed) || domain.endsWith("." + allowed);
    }
}
