package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
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
}
