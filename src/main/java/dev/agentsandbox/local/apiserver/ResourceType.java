package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A kind the embedded API server serves: a built-in one or one defined by a stored CustomResourceDefinition. */
record ResourceType(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        List<String> shortNames,
        boolean namespaced,
        boolean statusSubresource,
        Scale scale,
        JsonNode schema,
        List<String> categories) {

    /** Where a custom resource keeps the numbers behind its {@code /scale} subresource (JSON pointers). */
    record Scale(String specReplicas, String statusReplicas, String labelSelector) {}

    static ResourceType builtIn(
            String group,
            String version,
            String kind,
            String plural,
            boolean namespaced,
            boolean status,
            String... shortNames) {
        return new ResourceType(
                group,
                version,
                kind,
                plural,
                kind.toLowerCase(java.util.Locale.ROOT),
                List.of(shortNames),
                namespaced,
                status,
                null,
                null,
                List.of());
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    boolean custom() {
        return schema != null;
    }
}
