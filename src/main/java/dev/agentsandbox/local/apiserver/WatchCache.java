package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The recent changes of the stored objects, kept per resource, and the watches open on each resource: what
 * kube-apiserver's watch cache is. A watch from a resourceVersion is served the changes after it from here; one from a
 * version older than what is kept gets 410 Expired and relists, as from a real API server. Bounded per resource, so a
 * busy kind (Events, Leases) does not push out the history of a quiet one.
 */
final class WatchCache {

    /**
     * One change of a stored object, at the store's resourceVersion of the write: {@code before} is its state before
     * (null when created), carrying the change's resourceVersion as a deletion does in Kubernetes; {@code after} its
     * state after (null when deleted).
     */
    record Change(long resourceVersion, ResourcePath path, JsonNode before, JsonNode after) {}

    /** The default number of changes kept per resource. */
    static final int DEFAULT_CAPACITY = 1000;

    private final int capacity;
    private final Map<String, History> histories = new HashMap<>();
    private long latest;

    /** The changes kept of one resource (group and plural), and the watches open on it. */
    private static final class History {
        final Deque<Change> changes = new ArrayDeque<>();
        final List<Consumer<Change>> watches = new ArrayList<>();
        /** Every change after this version is kept; 0 until the first change is dropped. */
        long horizon;
    }

    WatchCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "the watch cache keeps at least one change per resource, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** Keeps a change and tells the watches of its resource, in the order the store took the writes. */
    synchronized void record(Change change) {
        latest = Math.max(latest, change.resourceVersion());
        History h = history(change.path());
        if (h.changes.size() == capacity) {
            h.horizon = h.changes.removeFirst().resourceVersion();
        }
        h.changes.addLast(change);
        for (Consumer<Change> watch : h.watches) {
            watch.accept(change);
        }
    }

    /**
     * Opens a watch on {@code resource} from {@code resourceVersion}: returns the kept changes after it, and hands
     * {@code watch} every later one. A 410 Expired when changes after that version have been dropped.
     */
    synchronized List<Change> watchFrom(ResourcePath resource, long resourceVersion, Consumer<Change> watch) {
        History h = history(resource);
        checkKept(h, resourceVersion);
        List<Change> missed = new ArrayList<>();
        for (Change c : h.changes) {
            if (c.resourceVersion() > resourceVersion) {
                missed.add(c);
            }
        }
        h.watches.add(watch);
        return missed;
    }

    /** Hands {@code watch} every change of {@code resource} from now on. */
    synchronized void watch(ResourcePath resource, Consumer<Change> watch) {
        history(resource).watches.add(watch);
    }

    /** A 410 Expired now when a watch of {@code resource} from {@code resourceVersion} cannot be served. */
    synchronized void checkKept(ResourcePath resource, long resourceVersion) {
        checkKept(history(resource), resourceVersion);
    }

    synchronized void unwatch(ResourcePath resource, Consumer<Change> watch) {
        history(resource).watches.remove(watch);
    }

    /** Runs {@code action} with the version of the latest change, before any later change reaches a watch. */
    synchronized void atLatest(LongConsumer action) {
        action.accept(latest);
    }

    private static void checkKept(History h, long resourceVersion) {
        if (resourceVersion < h.horizon) {
            throw new ApiException(
                    410, "Expired", "too old resource version: " + resourceVersion + " (" + h.horizon + ")");
        }
    }

    private History history(ResourcePath path) {
        return histories.computeIfAbsent(path.group() + "/" + path.plural(), k -> new History());
    }
}
