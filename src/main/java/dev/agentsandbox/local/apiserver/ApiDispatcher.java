package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentsandbox.local.gc.ObjectStore;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The request router of the embedded API server: authentication, injected faults, discovery, OpenAPI, the scale
 * subresource, schema validation, real patch semantics and list filtering are handled here, storage and watches by
 * fabric8's CRUD dispatcher underneath. Every request gets an answer, also when handling it fails.
 */
final class ApiDispatcher extends Dispatcher {

    private static final Logger LOG = Logger.getLogger(ApiDispatcher.class);
    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private final ResourceCatalog catalog = new ResourceCatalog(this::storedCrds);
    private final Discovery discovery = new Discovery(catalog);
    private final OpenApiDocument openApi = new OpenApiDocument(catalog);
    private final ApiFaults faults;
    private final Departures departures = new Departures(20_000);
    private final String token;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Writes run one at a time under the write lock, so each read-check-write (a resourceVersion check, a patch
     * applied to the current object) is atomic as in a real API server; the fabric8 store only locks its own
     * single steps. The garbage collector's snapshot takes the read lock: the store replaces an object by a remove
     * and a put, and a snapshot taken between the two would miss the object (and collect its dependents).
     */
    private final ReentrantReadWriteLock storeLock = new ReentrantReadWriteLock();

    private volatile String serverAddress = "127.0.0.1:0";

    ApiDispatcher(String token, ApiFaults faults) {
        this.token = token;
        this.faults = faults;
    }

    void serverAddress(String address) {
        this.serverAddress = address;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        String uri = request.getPath();
        try {
            return withJsonContentType(route(request, method, uri));
        } catch (ApiException e) {
            return ApiStatus.reply(e);
        } catch (RuntimeException e) {
            LOG.warnf(e, "embedded API server: %s %s failed", method, uri);
            return ApiStatus.reply(500, "InternalError", method + " " + uri + " failed: " + e);
        }
    }

    private MockResponse route(RecordedRequest request, String method, String uri) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        if (path.equals("/version")) {
            return ApiStatus.json(200, version());
        }
        if (token != null && !("Bearer " + token).equals(request.getHeader("Authorization"))) {
            return ApiStatus.reply(401, "Unauthorized", "Unauthorized");
        }
        faults.observed(request);
        Optional<ApiFault> fault = faults.next(method, uri);
        if (fault.isPresent() && fault.get().status() > 0) {
            ApiFault f = fault.get();
            return delayed(
                    ApiStatus.reply(
                            f.status(),
                            ApiStatus.reasonFor(f.status()),
                            "injected fault " + f.status() + " for " + method + " " + uri),
                    f);
        }
        if (method.equals("POST") && path.startsWith(AccessReviews.PREFIX)) {
            MockResponse review = AccessReviews.answer(path, request.getBody().readUtf8());
            return fault.map(f -> delayed(review, f)).orElse(review);
        }
        MockResponse response = routeResource(request, method, uri, path);
        return fault.map(f -> delayed(response, f)).orElse(response);
    }

    private MockResponse routeResource(RecordedRequest request, String method, String uri, String path) {
        if (method.equals("GET")) {
            Optional<String> meta = metadata(path);
            if (meta.isPresent()) {
                return ApiStatus.json(200, meta.get());
            }
            if (path.startsWith("/openapi/")) {
                return ApiStatus.reply(404, "NotFound", "the server could not find the requested resource");
            }
        }
        ResourcePath rp = ResourcePath.parse(uri);
        if (rp == null) {
            return ApiStatus.reply(404, "NotFound", "the server could not find the requested resource (" + path + ")");
        }
        ResourceType type = catalog.find(rp.group(), rp.version(), rp.plural()).orElse(null);
        if (method.equals("GET")) {
            return "scale".equals(rp.subresource()) ? scale(request, method, rp, type) : get(request, rp, type);
        }
        storeLock.writeLock().lock();
        try {
            writes.incrementAndGet();
            return write(request, method, rp, type);
        } finally {
            storeLock.writeLock().unlock();
        }
    }

    private MockResponse write(RecordedRequest request, String method, ResourcePath rp, ResourceType type) {
        if (method.equals("POST") || rp.isCollection()) {
            return writeObject(request, method, rp, type);
        }
        return recorded(rp, () -> writeObject(request, method, rp, type));
    }

    /** Runs a write that changes or removes the object at {@code rp}, keeping its state before for watches. */
    private MockResponse recorded(ResourcePath rp, java.util.function.Supplier<MockResponse> write) {
        JsonNode before = stored(rp.objectPath());
        MockResponse response = write.get();
        if (before != null && response.code() < 300) {
            departures.record(store.requestResourceVersion(), rp, before);
        }
        return response;
    }

    /** The stored object at {@code path}, or null. */
    private JsonNode stored(String path) {
        MockResponse r = store.handleGet(path);
        return r.code() == 200 ? read(r) : null;
    }

    private MockResponse writeObject(RecordedRequest request, String method, ResourcePath rp, ResourceType type) {
        if ("scale".equals(rp.subresource())) {
            return scale(request, method, rp, type);
        }
        MockResponse response =
                switch (method) {
                    case "POST" -> create(request, rp, type);
                    case "PUT" -> update(request, rp, type);
                    case "PATCH" -> patch(request, rp, type);
                    case "DELETE" -> delete(request, rp, type);
                    default -> ApiStatus.reply(405, "MethodNotAllowed", method + " is not supported");
                };
        if (rp.collectionPath().startsWith(CRD_PATH)) {
            catalog.crdsChanged();
        }
        return response;
    }

    private Optional<String> metadata(String path) {
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
            return Optional.of(discovery.resources("", segments[1]).orElseThrow(ApiDispatcher::notFound));
        }
        if (segments.length == 3 && segments[0].equals("apis")) {
            return Optional.of(discovery.resources(segments[1], segments[2]).orElseThrow(ApiDispatcher::notFound));
        }
        if (path.equals("/openapi/v3")) {
            return Optional.of(openApi.root());
        }
        if (path.startsWith("/openapi/v3/")) {
            return openApi.groupVersion(path.substring("/openapi/v3/".length()));
        }
        return Optional.empty();
    }

    private static ApiException notFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource");
    }

    // ---- reads ----

    private MockResponse get(RecordedRequest request, ResourcePath rp, ResourceType type) {
        if (rp.isWatch()) {
            String upgrade = request.getHeader("Upgrade");
            if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
                throw new ApiException(
                        405,
                        "MethodNotAllowed",
                        "the embedded API server serves watches over "
                                + "WebSocket only; HTTP streaming watches (kubectl get -w) are not supported");
            }
            return withDepartures(store.handleGet(request.getPath()), rp);
        }
        boolean table =
                Optional.ofNullable(request.getHeader("Accept")).orElse("").contains("as=Table");
        if (!rp.isCollection()) {
            MockResponse r = store.handleGet(rp.objectPath());
            if (r.code() == 404) {
                return notFoundReply(rp, type);
            }
            if (table) {
                JsonNode object = read(r);
                return ApiStatus.json(
                        200,
                        TableView.of(
                                type,
                                crdOf(type),
                                List.of(object),
                                object.path("metadata").path("resourceVersion").asText(""),
                                rp.query().get("includeObject"),
                                java.time.Instant.now()));
            }
            return r;
        }
        Predicate<JsonNode> filter = Selectors.labels(rp.query().get("labelSelector"))
                .and(Selectors.fields(rp.query().get("fieldSelector")));
        JsonNode stored = read(store.handleGet(rp.collectionPath()));
        ObjectNode list = ApiStatus.JSON.createObjectNode();
        list.put("apiVersion", rp.apiVersion());
        ArrayNode items = list.putArray("items");
        String itemKind = null;
        for (JsonNode item : stored.path("items")) {
            if (filter.test(item)) {
                items.add(item);
                itemKind = item.path("kind").asText(null);
            }
        }
        if (table) {
            List<JsonNode> rows = new ArrayList<>();
            items.forEach(rows::add);
            return ApiStatus.json(
                    200,
                    TableView.of(
                            type,
                            crdOf(type),
                            rows,
                            stored.path("metadata").path("resourceVersion").asText(""),
                            rp.query().get("includeObject"),
                            java.time.Instant.now()));
        }
        String kind = type != null ? type.kind() : itemKind;
        list.put("kind", kind == null ? "List" : kind + "List");
        list.putObject("metadata")
                .put(
                        "resourceVersion",
                        stored.path("metadata").path("resourceVersion").asText(""));
        return ApiStatus.json(200, list.toString());
    }

    private JsonNode crdOf(ResourceType type) {
        if (type == null || !type.custom()) {
            return null;
        }
        for (JsonNode crd : storedCrds()) {
            if (crd.path("spec").path("group").asText().equals(type.group())
                    && crd.path("spec").path("names").path("plural").asText().equals(type.plural())) {
                return crd;
            }
        }
        return null;
    }

    /**
     * A watch from a resourceVersion also gets DELETED for each object that was in its selection after that version
     * and no longer is (deleted, or relabelled out of it); see {@link Departures}. Sent while the store takes no
     * write, right after the store's own listener has queued the objects that match now.
     */
    private MockResponse withDepartures(MockResponse watch, ResourcePath rp) {
        WebSocketListener inner = watch.getWebSocketListener();
        long since;
        try {
            since = Long.parseLong(rp.query().getOrDefault("resourceVersion", "0"));
        } catch (NumberFormatException e) {
            since = 0;
        }
        if (inner == null || since <= 0) {
            return watch;
        }
        long from = since;
        Predicate<JsonNode> selected = Selectors.labels(rp.query().get("labelSelector"))
                .and(Selectors.fields(rp.query().get("fieldSelector")));
        return watch.withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onBeforeAccept(WebSocket webSocket, Response response) {
                inner.onBeforeAccept(webSocket, response);
            }

            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                storeLock.readLock().lock();
                try {
                    inner.onOpen(webSocket, response);
                    for (Departures.Departure d : departures.since(from, rp)) {
                        if (!selected.test(d.before())) {
                            continue;
                        }
                        JsonNode now = stored(d.path().objectPath());
                        if (now != null && selected.test(now)) {
                            continue; // still selected: the store's listener sends it as it is now
                        }
                        ObjectNode event = ApiStatus.JSON.createObjectNode().put("type", "DELETED");
                        event.set("object", d.before());
                        webSocket.send(event.toString());
                    }
                } finally {
                    storeLock.readLock().unlock();
                }
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                inner.onMessage(webSocket, text);
            }

            @Override
            public void onMessage(WebSocket webSocket, byte[] bytes) {
                inner.onMessage(webSocket, bytes);
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                inner.onClosing(webSocket, code, reason);
            }

            @Override
            public void onClosed(WebSocket webSocket, int code, String reason) {
                inner.onClosed(webSocket, code, reason);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable error, Response response) {
                inner.onFailure(webSocket, error, response);
            }
        });
    }

    // ---- writes ----

    private MockResponse create(RecordedRequest request, ResourcePath rp, ResourceType type) {
        ObjectNode body = body(request);
        if (type != null && type.custom()) {
            SchemaValidator.validate(type, body, strict(rp));
        }
        GeneratedNames.assign(body);
        return store.handleCreate(storeRequest(HttpMethod.POST, rp.collectionPath(), body));
    }

    private MockResponse update(RecordedRequest request, ResourcePath rp, ResourceType type) {
        ObjectNode body = body(request);
        boolean status = "status".equals(rp.subresource());
        if (status) {
            // fabric8's status PUT ignores the body's resourceVersion; a real API server checks it
            checkResourceVersion(current(rp, type), body);
        }
        if (type != null && type.custom()) {
            SchemaValidator.validate(type, body, !status && strict(rp));
        }
        MockResponse r = store.handleUpdate(storeRequest(HttpMethod.PUT, writePath(rp), body));
        return r.code() == 404 ? notFoundReply(rp, type) : r;
    }

    private MockResponse patch(RecordedRequest request, ResourcePath rp, ResourceType type) {
        ObjectNode current = current(rp, type);
        JsonNode patched = applyPatch(request, current, type);
        if (!patched.isObject()) {
            throw new ApiException(422, "Invalid", "the patch of " + describe(rp, type) + " does not yield an object");
        }
        ObjectNode updated = (ObjectNode) patched;
        checkResourceVersion(current, updated);
        if (!updated.path("metadata").hasNonNull("resourceVersion")) {
            ((ObjectNode) updated.with("metadata"))
                    .put(
                            "resourceVersion",
                            current.path("metadata").path("resourceVersion").asText());
        }
        if (type != null && type.custom()) {
            SchemaValidator.validate(type, updated, !"status".equals(rp.subresource()) && strict(rp));
        }
        MockResponse r = store.handleUpdate(storeRequest(HttpMethod.PUT, writePath(rp), updated));
        return r.code() == 404 ? notFoundReply(rp, type) : r;
    }

    private JsonNode applyPatch(RecordedRequest request, ObjectNode current, ResourceType type) {
        String contentType = Optional.ofNullable(request.getHeader("Content-Type"))
                .orElse("")
                .split(";")[0]
                .trim()
                .toLowerCase(Locale.ROOT);
        JsonNode patch =
                switch (contentType) {
                    case "application/merge-patch+json",
                            "application/json-patch+json",
                            "application/strategic-merge-patch+json" -> parse(bodyText(request));
                    case "application/apply-patch+yaml", "application/apply-patch+cbor" -> throw new ApiException(
                            415,
                            "UnsupportedMediaType",
                            "server-side apply is not supported by the embedded API server; "
                                    + "use kubectl apply (client-side), a merge patch or an update");
                    default -> throw new ApiException(
                            415,
                            "UnsupportedMediaType",
                            "the body of the request was in an unknown format - accepted media types include: "
                                    + "application/json-patch+json, application/merge-patch+json, "
                                    + "application/strategic-merge-patch+json");
                };
        return switch (contentType) {
            case "application/merge-patch+json" -> MergePatch.apply(current, patch);
            case "application/json-patch+json" -> {
                if (!patch.isArray()) {
                    throw new ApiException(400, "BadRequest", "a JSON patch must be an array of operations");
                }
                try {
                    yield JsonPatch.apply(patch, current);
                } catch (RuntimeException e) {
                    throw new ApiException(422, "Invalid", "the JSON patch could not be applied: " + e.getMessage());
                }
            }
            default -> {
                if (type != null && type.custom()) {
                    throw new ApiException(
                            415,
                            "UnsupportedMediaType",
                            "strategic merge patch is not supported " + "for custom resources (" + type.kind()
                                    + "); use a merge patch (--type merge)");
                }
                yield StrategicMergePatch.apply(current, patch);
            }
        };
    }

    private MockResponse delete(RecordedRequest request, ResourcePath rp, ResourceType type) {
        if (rp.isCollection()) {
            return store.handleDelete(request.getPath());
        }
        String policy = rp.query().get("propagationPolicy");
        String text = bodyText(request);
        if (!text.isBlank()) {
            policy = parse(text).path("propagationPolicy").asText(policy);
        }
        if ("Foreground".equals(policy) || "Orphan".equals(policy)) {
            ObjectNode current = current(rp, type);
            String finalizer = "Foreground".equals(policy) ? "foregroundDeletion" : "orphan";
            ArrayNode finalizers = ((ObjectNode) current.with("metadata")).withArray("finalizers");
            boolean present = false;
            for (JsonNode f : finalizers) {
                present |= f.asText().equals(finalizer);
            }
            if (!present && !current.path("metadata").hasNonNull("deletionTimestamp")) {
                finalizers.add(finalizer);
                store.handleUpdate(storeRequest(HttpMethod.PUT, rp.objectPath(), current));
            }
        }
        MockResponse r = store.handleDelete(rp.objectPath());
        return r.code() == 404 ? notFoundReply(rp, type) : r;
    }

    // ---- scale subresource ----

    private MockResponse scale(RecordedRequest request, String method, ResourcePath rp, ResourceType type) {
        if (type == null || type.scale() == null) {
            return notFoundReply(rp, type);
        }
        ObjectNode current = current(rp, type);
        ObjectNode scale = ScaleSubresource.of(current, type.scale());
        if (method.equals("GET")) {
            return ApiStatus.json(200, scale.toString());
        }
        JsonNode desired =
                switch (method) {
                    case "PUT" -> body(request);
                    case "PATCH" -> applyPatch(request, scale, null);
                    default -> throw new ApiException(405, "MethodNotAllowed", method + " is not supported on scale");
                };
        checkResourceVersion(current, desired);
        JsonNode replicas = desired.path("spec").path("replicas");
        if (!replicas.isIntegralNumber()) {
            throw new ApiException(
                    422,
                    "Invalid",
                    "Scale.autoscaling \"" + rp.name() + "\" is invalid: " + "spec.replicas: Invalid value: " + replicas
                            + ": must be an integer",
                    List.of(new ApiException.FieldCause("FieldValueInvalid", "must be an integer", "spec.replicas")));
        }
        ObjectNode updated = current.deepCopy();
        ScaleSubresource.setReplicas(updated, type.scale(), replicas.asInt());
        SchemaValidator.validate(type, updated, false);
        MockResponse r = store.handleUpdate(storeRequest(HttpMethod.PUT, rp.objectPath(), updated));
        if (r.code() >= 300) {
            return r;
        }
        return ApiStatus.json(
                200, ScaleSubresource.of((ObjectNode) read(r), type.scale()).toString());
    }

    // ---- the store as the garbage collector sees it ----

    ObjectStore objectStore() {
        return new ObjectStore() {
            @Override
            public List<JsonNode> snapshot() {
                List<String> bodies;
                storeLock.readLock().lock();
                try {
                    bodies = new ArrayList<>(store.getMap().values());
                } finally {
                    storeLock.readLock().unlock();
                }
                List<JsonNode> objects = new ArrayList<>(bodies.size());
                for (String body : bodies) {
                    objects.add(parse(body));
                }
                return objects;
            }

            @Override
            public boolean collectable(JsonNode object) {
                return catalog.findKind(
                                object.path("apiVersion").asText(),
                                object.path("kind").asText())
                        .isPresent();
            }

            @Override
            public long changes() {
                return writes.get();
            }

            @Override
            public void delete(JsonNode object) {
                underWriteLock(() -> pathOf(object).ifPresent(p -> {
                    // the object the sweep saw, not another one made under its name since
                    JsonNode current = stored(p);
                    if (current == null || !uidOf(current).equals(uidOf(object))) {
                        return;
                    }
                    writes.incrementAndGet();
                    recorded(ResourcePath.parse(p), () -> store.handleDelete(p));
                }));
            }

            @Override
            public void replace(JsonNode object) {
                underWriteLock(() -> pathOf(object).ifPresent(p -> {
                    JsonNode current = stored(p);
                    if (current == null || !uidOf(current).equals(uidOf(object))) {
                        return;
                    }
                    writes.incrementAndGet();
                    recorded(ResourcePath.parse(p), () -> store.handleUpdate(storeRequest(HttpMethod.PUT, p, object)));
                }));
            }
        };
    }

    private void underWriteLock(Runnable write) {
        storeLock.writeLock().lock();
        try {
            write.run();
        } finally {
            storeLock.writeLock().unlock();
        }
    }

    private static String uidOf(JsonNode object) {
        return object.path("metadata").path("uid").asText();
    }

    private Optional<String> pathOf(JsonNode object) {
        return catalog.findKind(
                        object.path("apiVersion").asText(), object.path("kind").asText())
                .map(t -> {
                    String prefix =
                            t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
                    String ns = object.path("metadata").path("namespace").asText("");
                    return prefix + (t.namespaced() && !ns.isEmpty() ? "/namespaces/" + ns : "") + "/" + t.plural()
                            + "/" + object.path("metadata").path("name").asText();
                });
    }

    // ---- helpers ----

    private ObjectNode current(ResourcePath rp, ResourceType type) {
        MockResponse r = store.handleGet(rp.objectPath());
        if (r.code() == 404) {
            throw new ApiException(404, "NotFound", describe(rp, type) + " not found");
        }
        return (ObjectNode) read(r);
    }

    private static void checkResourceVersion(JsonNode current, JsonNode updated) {
        String wanted = updated.path("metadata").path("resourceVersion").asText("");
        String actual = current.path("metadata").path("resourceVersion").asText("");
        if (!wanted.isEmpty() && !wanted.equals(actual)) {
            throw new ApiException(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled on "
                            + current.path("kind").asText() + " \""
                            + current.path("metadata").path("name").asText()
                            + "\": the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    private static String writePath(ResourcePath rp) {
        return "status".equals(rp.subresource()) ? rp.objectPath() + "/status" : rp.objectPath();
    }

    private static boolean strict(ResourcePath rp) {
        return "Strict".equals(rp.query().get("fieldValidation"));
    }

    private MockResponse notFoundReply(ResourcePath rp, ResourceType type) {
        return ApiStatus.reply(404, "NotFound", describe(rp, type) + " not found");
    }

    private static String describe(ResourcePath rp, ResourceType type) {
        String resource = rp.group().isEmpty() ? rp.plural() : rp.plural() + "." + rp.group();
        return resource + " \"" + rp.name() + "\"";
    }

    private List<JsonNode> storedCrds() {
        List<JsonNode> crds = new ArrayList<>();
        read(store.handleGet(CRD_PATH)).path("items").forEach(crds::add);
        return crds;
    }

    private ObjectNode body(RecordedRequest request) {
        String contentType =
                Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
        if (contentType.startsWith(ProtobufBody.CONTENT_TYPE)) {
            return ProtobufBody.toJson(bytes(request));
        }
        JsonNode node = parse(bodyText(request));
        if (!node.isObject()) {
            throw new ApiException(400, "BadRequest", "the request body is not a JSON object");
        }
        return (ObjectNode) node;
    }

    private static byte[] bytes(RecordedRequest request) {
        Buffer body = request.getBody();
        byte[] b = body == null ? null : body.getBytes();
        return b == null ? new byte[0] : b;
    }

    private static String bodyText(RecordedRequest request) {
        return new String(bytes(request), StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String text) {
        try {
            return ApiStatus.JSON.readTree(text.isBlank() ? "{}" : text);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "BadRequest", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode read(MockResponse response) {
        Buffer body = response.getBody();
        byte[] b = body == null ? null : body.getBytes();
        if (response.code() >= 400) {
            try {
                JsonNode status = ApiStatus.JSON.readTree(
                        b == null || b.length == 0 ? "{}" : new String(b, StandardCharsets.UTF_8));
                throw new ApiException(
                        response.code(),
                        status.path("reason").asText(ApiStatus.reasonFor(response.code())),
                        status.path("message").asText("request failed with " + response.code()));
            } catch (JsonProcessingException e) {
                throw new ApiException(response.code(), ApiStatus.reasonFor(response.code()), "request failed");
            }
        }
        return parse(b == null ? "{}" : new String(b, StandardCharsets.UTF_8));
    }

    private static RecordedRequest storeRequest(HttpMethod method, String path, JsonNode body) {
        return new RecordedRequest(
                "HTTP/1.1",
                method,
                path,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MockResponse withJsonContentType(MockResponse response) {
        if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }

    private static MockResponse delayed(MockResponse response, ApiFault fault) {
        if (!fault.delay().isZero() && response.getWebSocketListener() == null) {
            response.setBodyDelay(fault.delay());
            if (response.getBody() == null || response.getBody().size() == 0) {
                response.setBody("{}");
            }
        }
        return response;
    }

    private String rootPaths() {
        ObjectNode root = ApiStatus.JSON.createObjectNode();
        ArrayNode paths = root.putArray("paths");
        paths.add("/api").add("/api/v1").add("/apis").add("/openapi/v3").add("/version");
        catalog.groups().forEach((g, versions) -> {
            if (!g.isEmpty()) {
                paths.add("/apis/" + g);
                versions.forEach(v -> paths.add("/apis/" + g + "/" + v));
            }
        });
        return root.toString();
    }

    private static String version() {
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
