package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemberReservationsTest {

    private final ExpectationsTest.MutableClock clock =
            new ExpectationsTest.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MemberReservations reservations = new MemberReservations(clock);

    @Test
    void aMemberIsReservedForOneClaimAtATime() {
        assertThat(reservations.reserve("ns", "m", "claim-a")).isTrue();
        assertThat(reservations.reserve("ns", "m", "claim-b")).isFalse();
        assertThat(reservations.reserve("ns", "m", "claim-a"))
                .as("again by its holder")
                .isTrue();
        assertThat(reservations.isReserved("ns", "m")).isTrue();
        assertThat(reservations.isReserved("other", "m")).isFalse();
    }

    @Test
    void onlyTheHolderReleases() {
        reservations.reserve("ns", "m", "claim-a");
        reservations.release("ns", "m", "claim-b");
        assertThat(reservations.isReserved("ns", "m")).isTrue();
        reservations.release("ns", "m", "claim-a");
        assertThat(reservations.isReserved("ns", "m")).isFalse();
        assertThat(reservations.reserve("ns", "m", "claim-b")).isTrue();
    }

    @Test
    void aReservationLapsesAfterItsTimeToLive() {
        reservations.reserve("ns", "m", "claim-a");
        clock.advance(MemberReservations.TTL);
        assertThat(reservations.isReserved("ns", "m")).as("at the TTL itself").isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(reservations.isReserved("ns", "m")).isFalse();
        assertThat(reservations.reserve("ns", "m", "claim-b")).isTrue();
    }

    @Test
    void aLapsedReservationIsTakenOverByAnotherClaim() {
        reservations.reserve("ns", "m", "claim-a");
        clock.advance(MemberReservations.TTL.plusSeconds(1));
        assertThat(reservations.reserve("ns", "m", "claim-b")).isTrue();
        assertThat(reservations.reserve("ns", "m", "claim-a")).isFalse();
    }

    @Test
    void clearForgetsEveryReservation() {
        reservations.reserve("ns", "a", "claim-a");
        reservations.reserve("ns", "b", "claim-b");
        reservations.clear();
        assertThat(reservations.isReserved("ns", "a")).isFalse();
        assertThat(reservations.isReserved("ns", "b")).isFalse();
    }
}
