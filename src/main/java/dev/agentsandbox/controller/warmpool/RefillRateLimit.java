package dev.agentsandbox.controller.warmpool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An optional token bucket per pool that caps how fast members are created when refilling, so a drained pool does
 * not hit the scheduler with hundreds of Pods at once. A rate of 0 disables it.
 */
final class RefillRateLimit {

    private final Clock clock;
    private final double perSecond;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RefillRateLimit(Clock clock, double perSecond) {
        this.clock = clock;
        this.perSecond = perSecond;
    }

    boolean enabled() {
        return perSecond > 0;
    }

    /** Takes up to {@code wanted} tokens for the pool and returns how many were granted. */
    int take(String key, int wanted) {
        if (!enabled() || wanted <= 0) {
            return Math.max(wanted, 0);
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(Math.max(1, perSecond), clock.instant()));
        return bucket.take(wanted, clock.instant(), perSecond);
    }

    /** How long until the pool's next token. */
    Duration untilNext(String key) {
        Bucket bucket = buckets.get(key);
        if (!enabled() || bucket == null) {
            return Duration.ZERO;
        }
        return bucket.untilNext(clock.instant(), perSecond);
    }

    void forget(String key) {
        buckets.remove(key);
    }

    private static final class Bucket {
        private final double capacity;
        private double tokens;
        private Instant refilledAt;

        Bucket(double capacity, Instant now) {
            this.capacity = capacity;
            this.tokens = capacity;
            this.refilledAt = now;
        }

        synchronized int take(int wanted, Instant now, double perSecond) {
            refill(now, perSecond);
            int granted = (int) Math.min(wanted, Math.floor(tokens));
            tokens -= granted;
            return granted;
        }

        synchronized Duration untilNext(Instant now, double perSecond) {
            refill(now, perSecond);
            if (tokens >= 1) {
                return Duration.ZERO;
            }
            return Duration.ofMillis((long) Math.ceil((1 - tokens) / perSecond * 1000));
        }

        private void refill(Instant now, double perSecond) {
            double elapsed = Duration.between(refilledAt, now).toNanos() / 1e9;
            if (elapsed > 0) {
                tokens = Math.min(capacity, tokens + elapsed * perSecond);
                refilledAt = now;
            }
        }
    }
}
