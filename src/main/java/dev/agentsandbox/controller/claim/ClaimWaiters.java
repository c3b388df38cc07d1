package dev.agentsandbox.controller.claim;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims waiting for something to appear: a missing pool or template, or a pool member becoming Ready. Events on
 * those objects are mapped back to exactly these claims, so recovery is immediate and a busy pool does not wake every
 * claim in the namespace.
 */
final class ClaimWaiters {

    private final Map<String, Set<ResourceID>> waiting = new ConcurrentHashMap<>();

    static String pool(String namespace, String name) {
        return "pool:" + namespace + "/" + name;
    }

    static String template(String namespace, String name) {
        return "template:" + namespace + "/" + name;
    }

    static String members(String namespace, String pool) {
        return "members:" + namespace + "/" + pool;
    }

    void await(String what, ResourceID claim) {
        waiting.computeIfAbsent(what, k -> ConcurrentHashMap.newKeySet()).add(claim);
    }

    /** The claim no longer waits for anything. */
    void done(ResourceID claim) {
        waiting.values().forEach(set -> set.remove(claim));
    }

    Set<ResourceID> waitingFor(String what) {
        Set<ResourceID> claims = waiting.get(what);
        return claims == null ? Set.of() : Set.copyOf(claims);
    }
}
