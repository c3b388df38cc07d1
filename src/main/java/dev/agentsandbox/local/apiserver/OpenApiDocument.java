package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The smallest OpenAPI v3 that lets {@code kubectl apply} run with its default (strict, server-side) validation:
 * one PATCH operation per built-in kind that declares the {@code fieldValidation} query parameter. kubectl looks
 * custom resources up under the Namespace kind, so they need no document of their own.
 */
final class OpenApiDocument {

    private static final String HASH = "agent-sandbox-local-1";

    private final ResourceCatalog catalog;

    OpenApiDocument(ResourceCatalog catalog) {
        this.catalog = catalog;
    }

    String root() {
        ObjectNode root = ApiStatus.JSON.createObjectNode();
        ObjectNode paths = root.putObject("paths");
        for (String gv : builtInGroupVersions()) {
            paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + HASH);
        }
        return root.toString();
    }

    /** The document of "api/v1" or "apis/<group>/<version>", for built-in group versions only. */
    Optional<String> groupVersion(String gvPath) {
        if (!builtInGroupVersions().contains(gvPath)) {
            return Optional.empty();
        }
        ObjectNode doc = ApiStatus.JSON.createObjectNode().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", EmbeddedApiServer.KUBERNETES_VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : ResourceCatalog.BUILT_IN) {
            if (!path(t).equals(gvPath)) {
                continue;
            }
            String url =
                    "/" + gvPath + (t.namespaced() ? "/namespaces/{namespace}" : "") + "/" + t.plural() + "/{name}";
            ObjectNode patch = paths.putObject(url).putObject("patch");
            patch.putObject("x-kubernetes-group-version-kind")
                    .put("group", t.group())
                    .put("version", t.version())
                    .put("kind", t.kind());
            patch.putArray("parameters")
                    .addObject()
                    .put("name", "fieldValidation")
                    .put("in", "query")
                    .putObject("schema")
                    .put("type", "string");
            patch.putObject("responses").putObject("200").put("description", "OK");
        }
        doc.putObject("components").putObject("schemas");
        return Optional.of(doc.toString());
    }

    private static List<String> builtInGroupVersions() {
        return ResourceCatalog.BUILT_IN.stream()
                .map(OpenApiDocument::path)
                .distinct()
                .toList();
    }

    private static String path(ResourceType t) {
        return t.group().isEmpty() ? "api/" + t.version() : "apis/" + t.group() + "/" + t.version();
    }
}
