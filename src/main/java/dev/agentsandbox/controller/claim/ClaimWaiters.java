package dev.agentsandbox.controller.claim;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

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

    /**
     * What {@code lookUp} finds in a cache, else the claim waits for {@code what}. The claim waits before the last
     * look: an event that arrives between a look that finds nothing and the wait would find no claim to wake, and
     * the claim would wait for an object that is already there.
     */
    <T> Optional<T> findOrAwait(String what, ResourceID claim, Supplier<Optional<T>> lookUp) {
        Optional<T> found = lookUp.get();
        if (found.isPresent()) {
            return found;
        }
        await(what, claim);
        found = lookUp.get();
        if (found.isPresent()) {
            stopWaiting(what, claim);
        }
        return found;
    }

    void await(String what, ResourceID claim) {
        waiting.computeIfAbsent(what, k -> ConcurrentHashMap.newKeySet()).add(claim);
    }

    /** The claim no longer waits for anything. */
    void done(ResourceID claim) {
        waiting.values().forEach(set -> set.remove(claim));
    }

    private void stopWaiting(String what, ResourceID claim) {
        Set<ResourceID> claims = waiting.get(what);
        if (claims != null) {
            claims.remove(claim);
        }
    }

    Set<ResourceID> waitingFor(String what) {
        Set<ResourceID> claims = waiting.get(what);
        return claims == null ? Set.of() : Set.copyOf(claims);
    }
}
