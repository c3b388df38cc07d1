package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Legacy API discovery ({@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/<group>/<version>}) built from
 * the built-in table and the stored CRDs, with short names, verbs and the status and scale subresources. kubectl
 * asks for the aggregated format first and falls back to this one by itself.
 */
final class Discovery {

    private static final List<String> VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> SUBRESOURCE_VERBS = List.of("get", "patch", "update");

    private final ResourceCatalog catalog;

    Discovery(ResourceCatalog catalog) {
        this.catalog = catalog;
    }

    String coreVersions(String serverAddress) {
        ObjectNode root = ApiStatus.JSON.createObjectNode().put("kind", "APIVersions");
        root.putArray("versions").add("v1");
        root.putArray("serverAddressByClientCIDRs")
                .addObject()
                .put("clientCIDR", "0.0.0.0/0")
                .put("serverAddress", serverAddress);
        return root.toString();
    }

    String groups() {
        ObjectNode root =
                ApiStatus.JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = root.putArray("groups");
        for (Map.Entry<String, List<String>> g : catalog.groups().entrySet()) {
            if (g.getKey().isEmpty()) {
                continue;
            }
            ObjectNode group = groups.addObject().put("name", g.getKey());
            ArrayNode versions = group.putArray("versions");
            for (String v : g.getValue()) {
                versions.addObject().put("groupVersion", g.getKey() + "/" + v).put("version", v);
            }
            String preferred = g.getValue().get(0);
            group.putObject("preferredVersion")
                    .put("groupVersion", g.getKey() + "/" + preferred)
                    .put("version", preferred);
        }
        return root.toString();
    }

    /** The resources of one group version, or empty when nothing is served there. */
    Optional<String> resources(String group, String version) {
        List<ResourceType> types = catalog.all().stream()
                .filter(t -> t.group().equals(group) && t.version().equals(version))
                .toList();
        if (types.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode root = ApiStatus.JSON
                .createObjectNode()
                .put("kind", "APIResourceList")
                .put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = root.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = resources
                    .addObject()
                    .put("name", t.plural())
                    .put("singularName", t.singular())
                    .put("namespaced", t.namespaced())
                    .put("kind", t.kind());
            VERBS.forEach(r.putArray("verbs")::add);
            if (!t.shortNames().isEmpty()) {
                t.shortNames().forEach(r.putArray("shortNames")::add);
            }
            if (!t.categories().isEmpty()) {
                t.categories().forEach(r.putArray("categories")::add);
            }
            if (t.statusSubresource()) {
                ObjectNode s = resources
                        .addObject()
                        .put("name", t.plural() + "/status")
                        .put("singularName", "")
                        .put("namespaced", t.namespaced())
                        .put("kind", t.kind());
                SUBRESOURCE_VERBS.forEach(s.putArray("verbs")::add);
            }
            if (t.scale() != null) {
                ObjectNode s = resources
                        .addObject()
                        .put("name", t.plural() + "/scale")
                        .put("singularName", "")
                        .put("namespaced", t.namespaced())
                        .put("group", "autoscaling")
                        .put("version", "v1")
                        .put("kind", "Scale");
                SUBRESOURCE_VERBS.forEach(s.putArray("verbs")::add);
            }
        }
        return Optional.of(root.toString());
    }
}
