package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Objects that left the store or changed, with the state they had before: what a watch started from a
 * resourceVersion needs so that it does not miss a deletion. The CRUD store's watch sends the objects that match it
 * now as ADDED when it opens, but nothing for an object deleted (or relabelled out of the watch's selector) between
 * the client's list and the watch: a real API server replays those from its watch cache; without this, an informer
 * keeps such an object for ever. Bounded: the oldest entries go first.
 */
final class Departures {

    /** One write that changed or removed an object: the store's resourceVersion after it, and the state before. */
    record Departure(long resourceVersion, ResourcePath path, JsonNode before) {}

    private final int capacity;
    private final Deque<Departure> log = new ArrayDeque<>();

    Departures(int capacity) {
        this.capacity = capacity;
    }

    synchronized void record(long resourceVersion, ResourcePath path, JsonNode before) {
        if (log.size() == capacity) {
            log.removeFirst();
        }
        log.addLast(new Departure(resourceVersion, path, before));
    }

    /**
     * The last state before a change after {@code resourceVersion} of each object in the collection a watch
     * covers ({@code watch}: group, version, plural, and namespace when it has one), one per object.
     */
    synchronized List<Departure> since(long resourceVersion, ResourcePath watch) {
        Map<String, Departure> byObject = new LinkedHashMap<>();
        for (Departure d : log) {
            ResourcePath p = d.path();
            if (d.resourceVersion() > resourceVersion
                    && p.group().equals(watch.group())
                    && p.plural().equals(watch.plural())
                    && (watch.namespace() == null || watch.namespace().equals(p.namespace()))) {
                byObject.putIfAbsent(p.objectPath(), d);
            }
        }
        return new ArrayList<>(byObject.values());
    }
}
