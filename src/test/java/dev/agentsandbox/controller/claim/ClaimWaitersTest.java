package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClaimWaitersTest {

    static final ResourceID ALICE = new ResourceID("alice", "ns");
    static final ResourceID BOB = new ResourceID("bob", "ns");

    final ClaimWaiters waiters = new ClaimWaiters();

    @Test
    void onlyTheClaimsWaitingForAnObjectAreWoken() {
        waiters.await(ClaimWaiters.pool("ns", "kata"), ALICE);
        waiters.await(ClaimWaiters.template("ns", "tpl"), BOB);

        assertThat(waiters.waitingFor(ClaimWaiters.pool("ns", "kata"))).containsExactly(ALICE);
        assertThat(waiters.waitingFor(ClaimWaiters.template("ns", "tpl"))).containsExactly(BOB);
        assertThat(waiters.waitingFor(ClaimWaiters.pool("other", "kata"))).isEmpty();
        assertThat(waiters.waitingFor(ClaimWaiters.members("ns", "kata"))).isEmpty();
    }

    @Test
    void aClaimThatIsDoneWaitsForNothing() {
        waiters.await(ClaimWaiters.pool("ns", "kata"), ALICE);
        waiters.await(ClaimWaiters.members("ns", "kata"), ALICE);
        waiters.await(ClaimWaiters.members("ns", "kata"), BOB);

        waiters.done(ALICE);

        assertThat(waiters.waitingFor(ClaimWaiters.pool("ns", "kata"))).isEmpty();
        assertThat(waiters.waitingFor(ClaimWaiters.members("ns", "kata"))).containsExactly(BOB);
    }

    @Test
    void theWaitingSetIsASnapshot() {
        waiters.await(ClaimWaiters.pool("ns", "kata"), ALICE);
        var snapshot = waiters.waitingFor(ClaimWaiters.pool("ns", "kata"));

        waiters.done(ALICE);

        assertThat(snapshot).containsExactly(ALICE);
    }

    @Test
    void anObjectThatAppearsBeforeTheWaitBeginsIsFound() {
        String pool = ClaimWaiters.pool("ns", "kata");
        AtomicInteger looks = new AtomicInteger();
        // the pool's event arrives between the first look and the wait: it wakes no one, so the wait must look again
        Optional<String> found = waiters.findOrAwait(
                pool, ALICE, () -> looks.incrementAndGet() == 1 ? Optional.empty() : Optional.of("kata"));

        assertThat(found).contains("kata");
        assertThat(waiters.waitingFor(pool)).isEmpty();
    }

    @Test
    void theClaimWaitsBeforeItsLastLook() {
        String pool = ClaimWaiters.pool("ns", "kata");
        AtomicInteger looks = new AtomicInteger();
        Optional<String> found = waiters.findOrAwait(pool, ALICE, () -> {
            // an event at the moment of the second look finds the claim
            if (looks.incrementAndGet() == 2) {
                assertThat(waiters.waitingFor(pool)).containsExactly(ALICE);
            }
            return Optional.empty();
        });

        assertThat(found).isEmpty();
        assertThat(looks).hasValue(2);
        assertThat(waiters.waitingFor(pool)).containsExactly(ALICE);
    }

    @Test
    void anObjectInTheCacheNeedsNoWait() {
        String pool = ClaimWaiters.pool("ns", "kata");

        assertThat(waiters.findOrAwait(pool, ALICE, () -> Optional.of("kata"))).contains("kata");
        assertThat(waiters.waitingFor(pool)).isEmpty();
    }
}
