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
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/** fabric8's CRUD store with one write at a time, a count of writes, and the state before each write (for watches). */
final class CrudStore {

    static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final Departures departures = new Departures(20_000);
    private final AtomicLong writes = new AtomicLong();
    /**
     * Writes run one at a time under the write lock, so each read-check-write (a resourceVersion check, a patch
     * applied to the current object) is atomic as in a real API server; the fabric8 store only locks its own
     * single steps. The garbage collector's snapshot takes the read lock: the store replaces an object by a remove
     * and a put, and a snapshot taken between the two would miss the object (and collect its dependents).
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

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

    /** Runs a write that changes or removes the object at {@code rp}, keeping its state before for watches. */
    MockResponse keepingStateBefore(ResourcePath rp, Supplier<MockResponse> write) {
        JsonNode before = stored(rp.objectPath());
        MockResponse response = write.get();
        if (before != null && response.code() < 300) {
            departures.record(crud.requestResourceVersion(), rp, before);
        }
        return response;
    }

    /** The objects of the collection {@code watch} covers that changed or left after {@code resourceVersion}. */
    List<Departures.Departure> departuresSince(long resourceVersion, ResourcePath watch) {
        return departures.since(resourceVersion, watch);
    }

    /** The store's reply to a GET of {@code path}: an object, a list, or a watch. */
    MockResponse get(String path) {
        return crud.handleGet(path);
    }

    MockResponse create(String collectionPath, JsonNode object) {
        return crud.handleCreate(request(HttpMethod.POST, collectionPath, object));
    }

    MockResponse replace(String path, JsonNode object) {
        return crud.handleUpdate(request(HttpMethod.PUT, path, object));
    }

    MockResponse delete(String path) {
        return crud.handleDelete(path);
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
