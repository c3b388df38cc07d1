package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Optional;

/** The paths that describe the API rather than serve objects: the root, {@code /version}, discovery and OpenAPI. */
final class ApiDescription {

    private static final String OPENAPI_V3 = "/openapi/v3";

    private final ResourceCatalog catalog;
    private final Discovery discovery;
    private final OpenApiDocument openApi;
    private volatile String serverAddress = "127.0.0.1:0";

    ApiDescription(ResourceCatalog catalog) {
        this.catalog = catalog;
        this.discovery = new Discovery(catalog);
        this.openApi = new OpenApiDocument(catalog);
    }

    /** The address discovery reports to clients, known once the server listens. */
    void serverAddress(String address) {
        this.serverAddress = address;
    }

    /** The answer to a GET of {@code path} when it is one of these paths; empty when it addresses resources. */
    Optional<MockResponse> answer(String path) {
        Optional<String> description = describe(path);
        if (description.isPresent()) {
            return Optional.of(ApiStatus.json(200, description.get()));
        }
        if (path.startsWith("/openapi/")) {
            return Optional.of(ApiStatus.reply(notFound()));
        }
        return Optional.empty();
    }

    private Optional<String> describe(String path) {
        String[] segments = path.replaceAll("^/+|/+$", "").split("/");
        if (path.equals("/")) {
            return Optional.of(rootPaths());
        }
        if (path.equals("/api")) {
            return Optional.of(discovery.coreVersions(serverAddress));
        }
        if (path.equals("/apis")) {
            return Optional.of(discovery.groups());
        }
        if (segments.length == 2 && segments[0].equals("api")) {
            return Optional.of(discovery.resources("", segments[1]).orElseThrow(ApiDescription::notFound));
        }
        if (segments.length == 3 && segments[0].equals("apis")) {
            return Optional.of(discovery.resources(segments[1], segments[2]).orElseThrow(ApiDescription::notFound));
        }
        if (path.equals(OPENAPI_V3)) {
            return Optional.of(openApi.root());
        }
        if (path.startsWith(OPENAPI_V3 + "/")) {
            return openApi.groupVersion(path.substring((OPENAPI_V3 + "/").length()));
        }
        return Optional.empty();
    }

    private static ApiException notFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource");
    }

    private String rootPaths() {
        ObjectNode root = ApiStatus.JSON.createObjectNode();
        ArrayNode paths = root.putArray("paths");
        paths.add("/api").add("/api/v1").add("/apis").add(OPENAPI_V3).add("/version");
        catalog.groups().forEach((g, versions) -> {
            if (!g.isEmpty()) {
                paths.add("/apis/" + g);
                versions.forEach(v -> paths.add("/apis/" + g + "/" + v));
            }
        });
        return root.toString();
    }

    /** The reply to {@code /version}, the one path served without the token. */
    static String version() {
        return ApiStatus.JSON
                .createObjectNode()
                .put("major", "1")
                .put("minor", "32")
                .put("gitVersion", EmbeddedApiServer.KUBERNETES_VERSION)
                .put("gitCommit", "embedded")
                .put("gitTreeState", "clean")
                .put("buildDate", "2026-01-01T00:00:00Z")
                .put("goVersion", "none")
                .put("compiler", "none")
                .put("platform", "linux/amd64")
                .toString();
    }
}
