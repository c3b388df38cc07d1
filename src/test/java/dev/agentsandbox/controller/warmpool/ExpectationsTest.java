package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectationsTest {

    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Expectations expectations = new Expectations(clock, Duration.ofMinutes(2));

    @Test
    void unknownPoolIsSatisfied() {
        assertThat(expectations.satisfied("ns/p")).isTrue();
    }

    @Test
    void createsInFlightBlockUntilEachIsObserved() {
        expectations.expectCreations("ns/p", 3);
        assertThat(expectations.satisfied("ns/p")).isFalse();
        expectations.creationObserved("ns/p");
        expectations.creationObserved("ns/p");
        assertThat(expectations.satisfied("ns/p")).isFalse();
        expectations.creationObserved("ns/p");
        assertThat(expectations.satisfied("ns/p")).isTrue();
    }

    @Test
    void anEventThatOvertakesTheResponseIsNotLost() {
        // Raised before the call; the informer's add arrives before the create returns.
        expectations.expectCreations("ns/p", 1);
        expectations.creationObserved("ns/p");
        assertThat(expectations.satisfied("ns/p")).isTrue();
        // More adds than creates (the initial list after a restart) never go negative.
        expectations.creationObserved("ns/p");
        expectations.expectCreations("ns/p", 1);
        assertThat(expectations.satisfied("ns/p")).isFalse();
    }

    @Test
    void deletesAreTrackedByName() {
        expectations.expectDeletions("ns/p", List.of("a", "b"));
        expectations.deletionObserved("ns/p", "a");
        expectations.deletionObserved("ns/p", "a");
        assertThat(expectations.satisfied("ns/p")).isFalse();
        assertThat(expectations.pending("ns/p")).isEqualTo(1);
        expectations.deletionObserved("ns/p", "b");
        assertThat(expectations.satisfied("ns/p")).isTrue();
    }

    @Test
    void poolsAreIndependent() {
        expectations.expectCreations("ns/a", 1);
        assertThat(expectations.satisfied("ns/b")).isTrue();
        expectations.creationObserved("ns/b");
        assertThat(expectations.satisfied("ns/a")).isFalse();
    }

    @Test
    void lostEventsExpireAfterTheTimeout() {
        expectations.expectCreations("ns/p", 2);
        clock.advance(Duration.ofMinutes(1));
        assertThat(expectations.satisfied("ns/p")).isFalse();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(expectations.satisfied("ns/p")).isTrue();
        assertThat(expectations.pending("ns/p")).isZero();
    }

    @Test
    void aLaggingCacheNeverLetsTheReconcilerOvershoot() {
        // A model of the reconcile loop: the cache shows members only when their add event has been delivered.
        int desired = 10;
        int created = 0;
        int delivered = 0;
        for (int round = 0; round < 50; round++) {
            if (expectations.satisfied("ns/p")) {
                int deficit = desired - delivered;
                if (deficit > 0) {
                    expectations.expectCreations("ns/p", deficit);
                    created += deficit;
                }
            }
            if (round % 7 == 6 && delivered < created) {
                delivered++;
                expectations.creationObserved("ns/p");
            }
        }
        assertThat(created).isEqualTo(desired);
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
