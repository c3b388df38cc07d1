package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/** fabric8's CRUD store with one write at a time, a count of writes, and every change kept for watches. */
final class CrudStore {

    static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final WatchCache changes;
    private final AtomicLong writes = new AtomicLong();
    /**
     * Writes run one at a time under the write lock, so each read-check-write (a resourceVersion check, a patch
     * applied to the current object) is atomic as in a real API server; the fabric8 store only locks its own
     * single steps. The garbage collector's snapshot takes the read lock: the store replaces an object by a remove
     * and a put, and a snapshot taken between the two would miss the object (and collect its dependents).
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    /** A store whose watch cache keeps {@code watchCacheSize} changes per resource. */
    CrudStore(int watchCacheSize) {
        this.changes = new WatchCache(watchCacheSize);
    }

    /** The changes of this store, recorded as each write takes place. */
    WatchCache changes() {
        return changes;
    }

    /** Runs {@code write} as the only write in progress, counted as a change of the store. */
    <T> T write(Supplier<T> write) {
        return holding(lock.writeLock(), () -> {
            writes.incrementAndGet();
            return write.get();
        });
    }

    /** Runs {@code action} while no other write runs, so that a check and the write it decides on are one step. */
    void exclusively(Runnable action) {
        holding(lock.writeLock(), () -> {
            action.run();
            return null;
        });
    }

    /** Runs {@code action} while no write runs; reads may run beside it. */
    void betweenWrites(Runnable action) {
        holding(lock.readLock(), () -> {
            action.run();
            return null;
        });
    }

    private static <T> T holding(Lock held, Supplier<T> action) {
        held.lock();
        try {
            return action.get();
        } finally {
            held.unlock();
        }
    }

    /** How many writes the store has taken: a number that changes whenever it is written. */
    long writeCount() {
        return writes.get();
    }

    /** The store's reply to a GET of {@code path}: an object or a list, read while no write runs. */
    MockResponse get(String path) {
        return holding(lock.readLock(), () -> crud.handleGet(path));
    }

    MockResponse create(String collectionPath, JsonNode object) {
        String path =
                collectionPath + "/" + object.path("metadata").path("name").asText();
        return recorded(path, () -> crud.handleCreate(request(HttpMethod.POST, collectionPath, object)));
    }

    MockResponse replace(String path, JsonNode object) {
        return recorded(
                ResourcePath.parse(path).objectPath(), () -> crud.handleUpdate(request(HttpMethod.PUT, path, object)));
    }

    /** Deletes the object at {@code path}, or the objects of the collection it names (with its selectors). */
    MockResponse delete(String path) {
        ResourcePath rp = ResourcePath.parse(path);
        if (rp.isCollection()) {
            return holding(lock.writeLock(), () -> {
                Map<String, JsonNode> before = objectsIn(rp);
                MockResponse r = crud.handleDelete(path);
                if (r.code() < 300) {
                    Map<String, JsonNode> after = objectsIn(rp);
                    before.forEach((p, object) -> changed(ResourcePath.parse(p), object, after.get(p)));
                }
                return r;
            });
        }
        return recorded(rp.objectPath(), () -> crud.handleDelete(path));
    }

    /** Runs a write of the object at {@code objectPath} and records the change it made, as one step. */
    private MockResponse recorded(String objectPath, Supplier<MockResponse> write) {
        return holding(lock.writeLock(), () -> {
            JsonNode before = stored(objectPath);
            MockResponse r = write.get();
            if (r.code() < 300) {
                changed(ResourcePath.parse(objectPath), before, stored(objectPath));
            }
            return r;
        });
    }

    /**
     * Records a change, at the resourceVersion the store gave the object; a deletion gets a version of its own, as
     * in Kubernetes, so that a watch resumed after it does not see it again.
     */
    private void changed(ResourcePath path, JsonNode before, JsonNode after) {
        if (after == null ? before == null : after.equals(before)) {
            return;
        }
        long version = after == null ? crud.requestResourceVersion() : resourceVersionOf(after);
        JsonNode previous = null;
        if (before != null) {
            ObjectNode copy = before.deepCopy();
            ((ObjectNode) copy.with("metadata")).put("resourceVersion", Long.toString(version));
            previous = copy;
        }
        changes.record(new WatchCache.Change(version, path, previous, after));
    }

    private long resourceVersionOf(JsonNode object) {
        try {
            return Long.parseLong(
                    object.path("metadata").path("resourceVersion").asText());
        } catch (NumberFormatException e) {
            return crud.requestResourceVersion();
        }
    }

    /** The stored objects of the collection {@code rp} names, by their paths. */
    private Map<String, JsonNode> objectsIn(ResourcePath rp) {
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        for (JsonNode item : json(crud.handleGet(rp.collectionPath())).path("items")) {
            JsonNode m = item.path("metadata");
            String ns = m.path("namespace").asText("");
            objects.put(
                    rp.objectIn(ns.isEmpty() ? null : ns, m.path("name").asText())
                            .objectPath(),
                    item);
        }
        return objects;
    }

    /** The stored object at {@code path}, or null. */
    JsonNode stored(String path) {
        MockResponse r = crud.handleGet(path);
        return r.code() == 200 ? json(r) : null;
    }

    /** The stored object at {@code rp}; a 404 when there is none. */
    ObjectNode current(ResourcePath rp) {
        MockResponse r = crud.handleGet(rp.objectPath());
        if (r.code() == 404) {
            throw ApiException.notFound(rp);
        }
        return (ObjectNode) json(r);
    }

    List<JsonNode> crds() {
        List<JsonNode> crds = new ArrayList<>();
        json(crud.handleGet(CRD_PATH)).path("items").forEach(crds::add);
        return crds;
    }

    /** The stored CustomResourceDefinition of {@code type}, or null (a built-in kind, or one not stored). */
    JsonNode crdOf(ResourceType type) {
        if (type == null || !type.custom()) {
            return null;
        }
        for (JsonNode crd : crds()) {
            if (crd.path("spec").path("group").asText().equals(type.group())
                    && crd.path("spec").path("names").path("plural").asText().equals(type.plural())) {
                return crd;
            }
        }
        return null;
    }

    /** Every stored object, read while no write runs. */
    List<JsonNode> snapshot() {
        List<String> bodies =
                holding(lock.readLock(), () -> new ArrayList<>(crud.getMap().values()));
        List<JsonNode> objects = new ArrayList<>(bodies.size());
        for (String body : bodies) {
            objects.add(RequestBody.parse(body));
        }
        return objects;
    }

    /** The JSON a store reply carries; a reply with an error code is thrown as the {@link ApiException} it reports. */
    static JsonNode json(MockResponse reply) {
        Buffer body = reply.getBody();
        byte[] b = body == null ? null : body.getBytes();
        if (reply.code() >= 400) {
            try {
                JsonNode status = ApiStatus.JSON.readTree(
                        b == null || b.length == 0 ? "{}" : new String(b, StandardCharsets.UTF_8));
                throw new ApiException(
                        reply.code(),
                        status.path("reason").asText(ApiStatus.reasonFor(reply.code())),
                        status.path("message").asText("request failed with " + reply.code()));
            } catch (JsonProcessingException e) {
                throw new ApiException(reply.code(), ApiStatus.reasonFor(reply.code()), "request failed");
            }
        }
        return RequestBody.parse(b == null ? "{}" : new String(b, StandardCharsets.UTF_8));
    }

    private static RecordedRequest request(HttpMethod method, String path, JsonNode body) {
        return new RecordedRequest(
                "HTTP/1.1",
                method,
                path,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
