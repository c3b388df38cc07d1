package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The kinds the embedded API server knows: a fixed table of the built-in kinds the platform and kubectl use, plus
 * one entry per served version of every stored CustomResourceDefinition (re-read after a CRD is written).
 */
final class ResourceCatalog {

    static final List<ResourceType> BUILT_IN = List.of(
            ResourceType.builtIn("", "v1", "Namespace", "namespaces", false, true, "ns"),
            ResourceType.builtIn("", "v1", "Pod", "pods", true, true, "po"),
            ResourceType.builtIn("", "v1", "Service", "services", true, true, "svc"),
            ResourceType.builtIn("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, true, "pvc"),
            ResourceType.builtIn("", "v1", "PersistentVolume", "persistentvolumes", false, true, "pv"),
            ResourceType.builtIn("", "v1", "Secret", "secrets", true, false),
            ResourceType.builtIn("", "v1", "ConfigMap", "configmaps", true, false, "cm"),
            ResourceType.builtIn("", "v1", "Event", "events", true, false, "ev"),
            ResourceType.builtIn("", "v1", "ServiceAccount", "serviceaccounts", true, false, "sa"),
            ResourceType.builtIn("", "v1", "Endpoints", "endpoints", true, false, "ep"),
            ResourceType.builtIn("", "v1", "Node", "nodes", false, true, "no"),
            ResourceType.builtIn("apps", "v1", "Deployment", "deployments", true, true, "deploy"),
            ResourceType.builtIn("apps", "v1", "StatefulSet", "statefulsets", true, true, "sts"),
            ResourceType.builtIn("apps", "v1", "ReplicaSet", "replicasets", true, true, "rs"),
            ResourceType.builtIn("apps", "v1", "DaemonSet", "daemonsets", true, true, "ds"),
            ResourceType.builtIn("batch", "v1", "Job", "jobs", true, true),
            ResourceType.builtIn("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, false, "netpol"),
            ResourceType.builtIn("networking.k8s.io", "v1", "Ingress", "ingresses", true, true, "ing"),
            ResourceType.builtIn("coordination.k8s.io", "v1", "Lease", "leases", true, false),
            ResourceType.builtIn("events.k8s.io", "v1", "Event", "events", true, false, "ev"),
            ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "Role", "roles", true, false),
            ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, false),
            ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, false),
            ResourceType.builtIn(
                    "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, false),
            ResourceType.builtIn(
                    "apiextensions.k8s.io",
                    "v1",
                    "CustomResourceDefinition",
                    "customresourcedefinitions",
                    false,
                    true,
                    "crd",
                    "crds"));

    private final Supplier<List<JsonNode>> storedCrds;
    /** Raised after every CRD write; a cached list read under an older generation is read again. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    private volatile CustomTypes custom;

    /** The custom kinds as read from the store while {@code generation} was current. */
    private record CustomTypes(long generation, List<ResourceType> types) {}

    ResourceCatalog(Supplier<List<JsonNode>> storedCrds) {
        this.storedCrds = storedCrds;
    }

    /** Forgets the custom kinds; they are re-read from the store on next use. */
    void crdsChanged() {
        generation.incrementAndGet();
    }

    List<ResourceType> all() {
        List<ResourceType> all = new ArrayList<>(BUILT_IN);
        all.addAll(customTypes());
        return all;
    }

    /**
     * The custom kinds. A list read while a CRD was being written is tagged with the generation before that write's
     * {@link #crdsChanged}, so it is never used after it: caching it as current (as a plain "null means stale"
     * cache would, when the write completes between the read and the caching) left a kind unknown for good, and
     * the garbage collector then took that kind's objects for gone owners and deleted their dependents, over and
     * over (a warm pool's members).
     */
    List<ResourceType> customTypes() {
        long current = generation.get();
        CustomTypes c = custom;
        if (c != null && c.generation() == current) {
            return c.types();
        }
        List<ResourceType> types = new ArrayList<>();
        for (JsonNode crd : storedCrds.get()) {
            types.addAll(fromCrd(crd));
        }
        custom = new CustomTypes(current, List.copyOf(types));
        return types;
    }

    Optional<ResourceType> find(String group, String version, String plural) {
        return all().stream()
                .filter(t -> t.group().equals(group)
                        && t.version().equals(version)
                        && t.plural().equals(plural))
                .findFirst();
    }

    Optional<ResourceType> findKind(String apiVersion, String kind) {
        return all().stream()
                .filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind))
                .findFirst();
    }

    /** Every group with its versions, in discovery order (built-ins first). */
    Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ResourceType t : all()) {
            List<String> versions = groups.computeIfAbsent(t.group(), g -> new ArrayList<>());
            if (!versions.contains(t.version())) {
                versions.add(t.version());
            }
        }
        return groups;
    }

    static List<ResourceType> fromCrd(JsonNode crd) {
        List<ResourceType> types = new ArrayList<>();
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        List<String> shortNames = strings(names.path("shortNames"));
        List<String> categories = strings(names.path("categories"));
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(true)) {
                continue;
            }
            JsonNode sub = v.path("subresources");
            ResourceType.Scale scale = null;
            if (sub.has("scale")) {
                JsonNode s = sub.path("scale");
                scale = new ResourceType.Scale(
                        pointer(s.path("specReplicasPath").asText(".spec.replicas")),
                        pointer(s.path("statusReplicasPath").asText(".status.replicas")),
                        s.hasNonNull("labelSelectorPath")
                                ? pointer(s.path("labelSelectorPath").asText())
                                : null);
            }
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            types.add(new ResourceType(
                    spec.path("group").asText(),
                    v.path("name").asText(),
                    names.path("kind").asText(),
                    names.path("plural").asText(),
                    names.path("singular").asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)),
                    shortNames,
                    !"Cluster".equals(spec.path("scope").asText()),
                    sub.has("status"),
                    scale,
                    schema.isMissingNode() ? ApiStatus.JSON.createObjectNode() : schema,
                    categories));
        }
        return types;
    }

    /** ".spec.replicas" to "/spec/replicas". */
    static String pointer(String jsonPath) {
        return jsonPath.replace('.', '/');
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
