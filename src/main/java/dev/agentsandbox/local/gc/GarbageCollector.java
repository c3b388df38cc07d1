package dev.agentsandbox.local.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Garbage collection by ownerReferences, which the CRUD mock lacks: an object whose owners are all gone is deleted
 * (background propagation); an owner deleted in the foreground (finalizer {@code foregroundDeletion}) has its
 * dependents deleted first and goes once none is left; an owner deleted with {@code orphan} propagation leaves its
 * dependents without the owner reference. Runs as a sweep over the store, only when the store changed.
 */
public final class GarbageCollector {

    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);

    private final ObjectStore store;
    private long seenChanges = -1;

    public GarbageCollector(ObjectStore store) {
        this.store = store;
    }

    /** One pass; returns how many objects it deleted or changed. Safe to call often. */
    public synchronized int sweep() {
        long changes = store.changes();
        if (changes == seenChanges) {
            return 0;
        }
        seenChanges = changes;
        List<JsonNode> objects = store.snapshot();
        Set<String> uids = new HashSet<>();
        Map<String, List<JsonNode>> dependents = new HashMap<>();
        for (JsonNode o : objects) {
            uids.add(uid(o));
            for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
                dependents
                        .computeIfAbsent(ref.path("uid").asText(), k -> new ArrayList<>())
                        .add(o);
            }
        }
        int actions = 0;
        for (JsonNode o : objects) {
            if (!store.collectable(o)) {
                continue;
            }
            JsonNode meta = o.path("metadata");
            boolean deleting = meta.hasNonNull("deletionTimestamp");
            List<JsonNode> mine = dependents.getOrDefault(uid(o), List.of());
            if (deleting && hasFinalizer(o, ORPHAN)) {
                for (JsonNode d : mine) {
                    store.replace(withoutOwner(d, uid(o)));
                    actions++;
                }
                store.replace(withoutFinalizer(o, ORPHAN));
                actions++;
            } else if (deleting && hasFinalizer(o, FOREGROUND)) {
                if (mine.isEmpty()) {
                    store.replace(withoutFinalizer(o, FOREGROUND));
                    LOG.debugf("foreground deletion of %s done", describe(o));
                } else {
                    for (JsonNode d : mine) {
                        if (!d.path("metadata").hasNonNull("deletionTimestamp")) {
                            store.delete(d);
                        }
                    }
                }
                actions++;
            }
            JsonNode owners = meta.path("ownerReferences");
            if (!deleting && owners.isArray() && !owners.isEmpty() && allMissing(owners, uids)) {
                LOG.infof("collecting %s: its owners are gone", describe(o));
                store.delete(o);
                actions++;
            }
        }
        if (actions > 0) {
            // what we changed may enable more work (a chain of owners); look again next time
            seenChanges = -1;
        }
        return actions;
    }

    private static boolean allMissing(JsonNode owners, Set<String> uids) {
        for (JsonNode ref : owners) {
            if (uids.contains(ref.path("uid").asText())) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasFinalizer(JsonNode o, String finalizer) {
        for (JsonNode f : o.path("metadata").path("finalizers")) {
            if (f.asText().equals(finalizer)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode withoutFinalizer(JsonNode o, String finalizer) {
        ObjectNode copy = o.deepCopy();
        ArrayNode kept = copy.arrayNode();
        o.path("metadata").path("finalizers").forEach(f -> {
            if (!f.asText().equals(finalizer)) {
                kept.add(f);
            }
        });
        ((ObjectNode) copy.get("metadata")).set("finalizers", kept);
        return copy;
    }

    private static JsonNode withoutOwner(JsonNode o, String ownerUid) {
        ObjectNode copy = o.deepCopy();
        ArrayNode kept = copy.arrayNode();
        o.path("metadata").path("ownerReferences").forEach(r -> {
            if (!r.path("uid").asText().equals(ownerUid)) {
                kept.add(r);
            }
        });
        ((ObjectNode) copy.get("metadata")).set("ownerReferences", kept);
        return copy;
    }

    private static String uid(JsonNode o) {
        return o.path("metadata").path("uid").asText();
    }

    private static String describe(JsonNode o) {
        return o.path("kind").asText() + " "
                + o.path("metadata").path("namespace").asText("") + "/"
                + o.path("metadata").path("name").asText();
    }
}
