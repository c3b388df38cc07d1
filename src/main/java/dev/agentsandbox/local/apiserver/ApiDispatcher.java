package dev.agentsandbox.local.apiserver;

import dev.agentsandbox.local.gc.ObjectStore;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The embedded API server's routing table: it sends each request to the class that serves it, and always answers. */
final class ApiDispatcher extends Dispatcher {

    private static final Logger LOG = Logger.getLogger(ApiDispatcher.class);

    private final CrudStore store;
    private final ResourceCatalog catalog;
    private final ApiDescription description;
    private final ResourceReads reads;
    private final Watches watches;
    private final ResourceWrites writes;
    private final ScaleSubresource scale;
    private final RequestGate gate;

    /** {@code watchCacheSize}: how many changes of each resource are kept for watches from a resourceVersion. */
    ApiDispatcher(String token, ApiFaults faults, int watchCacheSize) {
        this.store = new CrudStore(watchCacheSize);
        this.catalog = new ResourceCatalog(store::crds);
        this.description = new ApiDescription(catalog);
        this.reads = new ResourceReads(store);
        this.watches = new Watches(store);
        this.writes = new ResourceWrites(store);
        this.scale = new ScaleSubresource(store);
        this.gate = new RequestGate(token, faults);
    }

    void serverAddress(String address) {
        description.serverAddress(address);
    }

    /** The store as the garbage collector sees it. */
    ObjectStore objectStore() {
        return new CollectorView(store, catalog);
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
            return ApiStatus.json(200, ApiDescription.version());
        }
        return gate.admit(request, () -> routeAdmitted(request, method, uri, path));
    }

    private MockResponse routeAdmitted(RecordedRequest request, String method, String uri, String path) {
        if (method.equals("POST") && path.startsWith(AccessReviews.PREFIX)) {
            return AccessReviews.answer(path, request.getBody().readUtf8());
        }
        if (method.equals("GET")) {
            Optional<MockResponse> described = description.answer(path);
            if (described.isPresent()) {
                return described.get();
            }
        }
        ResourcePath rp = ResourcePath.parse(uri);
        if (rp == null) {
            return ApiStatus.reply(404, "NotFound", "the server could not find the requested resource (" + path + ")");
        }
        ResourceType type = catalog.find(rp.group(), rp.version(), rp.plural()).orElse(null);
        if (method.equals("GET")) {
            if ("scale".equals(rp.subresource())) {
                return scale.read(rp, type);
            }
            return rp.isWatch() ? watches.open(request, rp, type) : reads.read(request, rp, type);
        }
        return store.write(() -> write(request, method, rp, type));
    }

    private MockResponse write(RecordedRequest request, String method, ResourcePath rp, ResourceType type) {
        if ("scale".equals(rp.subresource())) {
            return scale.write(request, method, rp, type);
        }
        MockResponse response =
                switch (method) {
                    case "POST" -> writes.create(request, rp, type);
                    case "PUT" -> writes.update(request, rp, type);
                    case "PATCH" -> writes.patch(request, rp, type);
                    case "DELETE" -> writes.delete(request, rp);
                    default -> ApiStatus.reply(405, "MethodNotAllowed", method + " is not supported");
                };
        if (rp.collectionPath().startsWith(CrudStore.CRD_PATH)) {
            catalog.crdsChanged();
        }
        return response;
    }

    private static MockResponse withJsonContentType(MockResponse response) {
        if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }
}
