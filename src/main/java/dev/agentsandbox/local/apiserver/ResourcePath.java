package dev.agentsandbox.local.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A request URL to a resource, split the way the API server routes it. Group is "" for the core group. */
record ResourcePath(
        String group,
        String version,
        String namespace,
        String plural,
        String name,
        String subresource,
        String rawPath,
        Map<String, String> query) {

    private static final Pattern RESOURCE = Pattern.compile(
            "/(?:api|apis/(?<group>[^/]+))/(?<version>[^/]+)(?:/namespaces/(?<ns>[^/]+))?/(?<plural>[^/]+)"
                    + "(?:/(?<name>[^/]+))?(?:/(?<sub>[^/]+))?");

    static ResourcePath parse(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        Map<String, String> query = parseQuery(q < 0 ? "" : uri.substring(q + 1));
        Matcher m = RESOURCE.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String ns = m.group("ns");
        String plural = m.group("plural");
        String name = m.group("name");
        String sub = m.group("sub");
        if (ns != null
                && name == null
                && m.group("group") == null
                && (plural.equals("status") || plural.equals("finalize"))) {
            // /api/v1/namespaces/demo/status addresses the namespace object's subresource
            return new ResourcePath("", m.group("version"), null, "namespaces", ns, plural, path, query);
        }
        return new ResourcePath(group(m), m.group("version"), ns, plural, name, sub, path, query);
    }

    private static String group(Matcher m) {
        return m.group("group") == null ? "" : m.group("group");
    }

    static Map<String, String> parseQuery(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    boolean isCollection() {
        return name == null;
    }

    boolean isWatch() {
        return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    }

    /** The path of the object itself, without subresource and query. */
    String objectPath() {
        return prefix() + (namespace != null ? "/namespaces/" + namespace : "") + "/" + plural + "/" + name;
    }

    /** The object named {@code name} of this path's resource, in {@code namespace} (null for a cluster-wide one). */
    ResourcePath objectIn(String namespace, String name) {
        ResourcePath collection = new ResourcePath(group, version, namespace, plural, null, null, "", Map.of());
        return new ResourcePath(
                group, version, namespace, plural, name, null, collection.collectionPath() + "/" + name, Map.of());
    }

    String collectionPath() {
        return prefix() + (namespace != null ? "/namespaces/" + namespace : "") + "/" + plural;
    }

    private String prefix() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** The object as kubectl names it in errors: {@code sandboxes.agents.x-k8s.io "demo"}. */
    String describe() {
        String resource = group.isEmpty() ? plural : plural + "." + group;
        return resource + " \"" + name + "\"";
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }
}
