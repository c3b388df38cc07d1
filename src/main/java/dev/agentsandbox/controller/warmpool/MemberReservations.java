package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.controller.ObjectKey;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pool members promised to a claim in this process. A claim reserves a member before it commits the adoption, so two
 * claims reconciled at once never race for the same member, and the pool never deletes a member a claim is taking.
 * Across processes the optimistic locks on the claim and the Sandbox decide; this only keeps the common case free of
 * conflicts. Reservations lapse after a while, by which time every cache has seen the adoption.
 */
@Singleton
public class MemberReservations {

    static final Duration TTL = Duration.ofMinutes(2);

    private final Map<String, Reservation> reservations = new ConcurrentHashMap<>();
    private final Clock clock;

    @Inject
    public MemberReservations(Clock clock) {
        this.clock = clock;
    }

    private record Reservation(String claimUid, Instant at) {}

    /** Reserves {@code namespace/name} for the claim; true if it is now the claim's (also if it already was). */
    public boolean reserve(String namespace, String name, String claimUid) {
        Instant now = clock.instant();
        Reservation mine = new Reservation(claimUid, now);
        Reservation result = reservations.compute(
                ObjectKey.of(namespace, name),
                (k, current) -> current == null
                                || current.claimUid().equals(claimUid)
                                || current.at().plus(TTL).isBefore(now)
                        ? mine
                        : current);
        return result == mine;
    }

    /** Releases a reservation held by the claim (after it lost or gave up on the member). */
    public void release(String namespace, String name, String claimUid) {
        reservations.computeIfPresent(
                ObjectKey.of(namespace, name),
                (k, current) -> current.claimUid().equals(claimUid) ? null : current);
    }

    /** Whether some claim holds the member. */
    public boolean isReserved(String namespace, String name) {
        Reservation r = reservations.get(ObjectKey.of(namespace, name));
        if (r == null) {
            return false;
        }
        if (r.at().plus(TTL).isBefore(clock.instant())) {
            reservations.remove(ObjectKey.of(namespace, name), r);
            return false;
        }
        return true;
    }

    /** Drops every reservation, as a restart does; tests use it to simulate one in the middle of a burst. */
    public void clear() {
        reservations.clear();
    }
}
