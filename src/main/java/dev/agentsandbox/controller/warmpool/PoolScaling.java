package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The pool's scaling decisions, free of API calls: which members to retire (stale, never ready, or one too many),
 * which to hold, how many are missing, and when to look again.
 */
final class PoolScaling {

    /**
     * One pass's decision.
     *
     * @param retire members to delete: stale ones (Recreate), those not Ready within the grace period, and the
     *     surplus (not-Ready ones first, then the newest)
     * @param held members kept although not Ready, because they are Unschedulable
     * @param missing how many members to create (negative or zero: none)
     * @param requeue when to decide again (a member's grace period ends), or null
     */
    record Plan(List<Sandbox> retire, Set<String> held, int missing, Duration requeue) {}

    private final Duration grace;
    private final Instant now;
    private final Predicate<Sandbox> unschedulable;
    private final Predicate<Sandbox> reserved;

    /**
     * @param grace how long a new member may take to become Ready
     * @param unschedulable whether a member's Pod is Unschedulable (asked only of members past their grace period)
     * @param reserved whether a claim holds the member (never retired as surplus)
     */
    PoolScaling(Duration grace, Instant now, Predicate<Sandbox> unschedulable, Predicate<Sandbox> reserved) {
        this.grace = grace;
        this.now = now;
        this.unschedulable = unschedulable;
        this.reserved = reserved;
    }

    /** The decision for {@code members} of a pool that wants {@code desired}; {@code stale} marks outdated ones. */
    Plan plan(List<Sandbox> members, int desired, Predicate<Sandbox> stale) {
        List<Sandbox> retire = new ArrayList<>(members.stream().filter(stale).toList());
        Set<String> held = new HashSet<>();
        Duration requeue = null;
        for (Sandbox member : members) {
            if (retire.contains(member) || WarmPoolMembers.isReady(member)) {
                continue;
            }
            Duration age = Duration.between(WarmPoolMembers.createdAt(member), now);
            if (age.compareTo(grace) < 0) {
                requeue = earlier(requeue, grace.minus(age));
            } else if (unschedulable.test(member)) {
                held.add(member.getMetadata().getName());
                requeue = earlier(requeue, grace);
            } else {
                retire.add(member);
            }
        }
        List<Sandbox> active = new ArrayList<>(members);
        active.removeAll(retire);
        int missing = desired - active.size();
        retire.addAll(surplus(active, -missing));
        return new Plan(retire, held, missing, requeue);
    }

    /** The {@code count} members to retire when there are too many: not-Ready ones first, then the newest. */
    private List<Sandbox> surplus(List<Sandbox> active, int count) {
        if (count <= 0) {
            return List.of();
        }
        return active.stream()
                .sorted(Comparator.comparing(WarmPoolMembers::isReady)
                        .thenComparing(
                                Comparator.comparing(WarmPoolMembers::createdAt).reversed()))
                .filter(reserved.negate())
                .limit(count)
                .toList();
    }

    static Duration earlier(Duration a, Duration b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }
}
