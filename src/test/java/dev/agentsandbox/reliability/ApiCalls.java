package dev.agentsandbox.reliability;

import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The Kubernetes API calls an application made, as RBAC sees them: (apiGroup, resource[/subresource], verb, name).
 * Requests sent with the test's own user agent are left out.
 */
final class ApiCalls implements Consumer<RecordedRequest> {

    /** One call in RBAC terms; {@code name} is null for collection calls. */
    record Call(String group, String resource, String verb, String name) {

        String rule() {
            return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
        }
    }

    private final String ignoredUserAgent;
    final Set<Call> calls = ConcurrentHashMap.newKeySet();
    final Set<String> nonResourcePaths = ConcurrentHashMap.newKeySet();

    ApiCalls(String ignoredUserAgent) {
        this.ignoredUserAgent = ignoredUserAgent;
    }

    /** A client of the embedded API server whose calls a recording leaves out: it names itself {@code userAgent}. */
    static KubernetesClient clientIdentifiedAs(EmbeddedApiServer server, String namespace, String userAgent) {
        try (KubernetesClient embedded = server.client(namespace)) {
            return new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(embedded.getConfiguration())
                            .withUserAgent(userAgent)
                            .build())
                    .build();
        }
    }

    @Override
    public void accept(RecordedRequest request) {
        if (ignoredUserAgent.equals(request.getHeader("User-Agent"))) {
            return;
        }
        Call call = parse(request.getMethod(), request.getPath());
        if (call == null) {
            String path = request.getPath();
            nonResourcePaths.add(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
        } else {
            calls.add(call);
        }
    }

    /** Maps a request to its RBAC attributes, or null for discovery and other non-resource paths. */
    static Call parse(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        String[] s = path.replaceAll("^/+", "").split("/");
        String group;
        int rest;
        if (s.length >= 2 && s[0].equals("api")) {
            group = "";
            rest = 2;
        } else if (s.length >= 3 && s[0].equals("apis")) {
            group = s[1];
            rest = 3;
        } else {
            return null;
        }
        int left = s.length - rest;
        if (left <= 0) {
            return null;
        }
        String resource;
        String name = null;
        String sub = null;
        if (s[rest].equals("namespaces") && left >= 3) {
            resource = s[rest + 2];
            name = left >= 4 ? s[rest + 3] : null;
            sub = left >= 5 ? s[rest + 4] : null;
        } else {
            resource = s[rest];
            name = left >= 2 ? s[rest + 1] : null;
            sub = left >= 3 ? s[rest + 2] : null;
        }
        boolean watch = query.matches("(^|.*&)watch=(true|1)(&.*|$)");
        String verb =
                switch (method) {
                    case "GET" -> watch ? "watch" : name != null ? "get" : "list";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> name != null ? "delete" : "deletecollection";
                    default -> method.toLowerCase();
                };
        return new Call(group, sub == null ? resource : resource + "/" + sub, verb, name);
    }
}
