package dev.agentsandbox.controller.warmpool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates and deletes a pool has issued but not yet seen in its informer cache (the ReplicaSet "expectations" idea).
 * <p>
 * A pool is only scaled while it has no outstanding expectations: a cache that lags behind the controller's own
 * writes would otherwise show too few members and make the pool overshoot. Expectations are raised <em>before</em> the
 * API call, so an informer event that overtakes the call's response still finds them; a call that fails lowers them
 * again. Expectations older than the timeout are dropped, so a lost event delays a pool but never stalls it.
 */
public class Expectations {

    private final Clock clock;
    private final Duration timeout;
    private final Map<String, PoolExpectation> pools = new ConcurrentHashMap<>();

    public Expectations(Clock clock, Duration timeout) {
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Records that {@code count} creates are about to be sent for the pool {@code key}. */
    public void expectCreations(String key, int count) {
        pool(key).raiseCreates(count, clock.instant());
    }

    /** A member of the pool appeared in the cache, or a create failed. */
    public void creationObserved(String key) {
        PoolExpectation e = pools.get(key);
        if (e != null) {
            e.lowerCreates();
        }
    }

    /** Records that the named members are about to be deleted. */
    public void expectDeletions(String key, Collection<String> names) {
        pool(key).raiseDeletes(names, clock.instant());
    }

    /** A member left the cache, or its delete failed. */
    public void deletionObserved(String key, String name) {
        PoolExpectation e = pools.get(key);
        if (e != null) {
            e.lowerDelete(name);
        }
    }

    /** True when nothing is in flight for the pool, or what is in flight has timed out. */
    public boolean satisfied(String key) {
        PoolExpectation e = pools.get(key);
        return e == null || e.satisfied(clock.instant(), timeout);
    }

    /** Creates plus deletes still in flight, for logs and tests. */
    public int pending(String key) {
        PoolExpectation e = pools.get(key);
        return e == null ? 0 : e.pending();
    }

    /** Forgets every pool, as a process restart does. */
    void clear() {
        pools.clear();
    }

    /** Forgets a deleted pool. */
    public void forget(String key) {
        pools.remove(key);
    }

    private PoolExpectation pool(String key) {
        return pools.computeIfAbsent(key, k -> new PoolExpectation());
    }

    /** One pool's outstanding operations; guarded by its own monitor. */
    private static final class PoolExpectation {
        private int creates;
        private final Set<String> deletes = new HashSet<>();
        private Instant raisedAt = Instant.EPOCH;

        synchronized void raiseCreates(int count, Instant now) {
            creates += count;
            raisedAt = now;
        }

        synchronized void lowerCreates() {
            if (creates > 0) {
                creates--;
            }
        }

        synchronized void raiseDeletes(Collection<String> names, Instant now) {
            deletes.addAll(names);
            raisedAt = now;
        }

        synchronized void lowerDelete(String name) {
            deletes.remove(name);
        }

        synchronized int pending() {
            return creates + deletes.size();
        }

        synchronized boolean satisfied(Instant now, Duration timeout) {
            if (creates == 0 && deletes.isEmpty()) {
                return true;
            }
            if (now.isAfter(raisedAt.plus(timeout))) {
                creates = 0;
                deletes.clear();
                return true;
            }
            return false;
        }
    }
}
