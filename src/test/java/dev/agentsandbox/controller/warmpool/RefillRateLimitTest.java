package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RefillRateLimitTest {

    ExpectationsTest.MutableClock clock = new ExpectationsTest.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void zeroMeansNoLimit() {
        RefillRateLimit limit = new RefillRateLimit(clock, 0);
        assertThat(limit.take("ns/p", 500)).isEqualTo(500);
        assertThat(limit.untilNext("ns/p")).isZero();
    }

    @Test
    void grantsABurstOfOneSecondThenTheRate() {
        RefillRateLimit limit = new RefillRateLimit(clock, 5);
        assertThat(limit.take("ns/p", 100)).isEqualTo(5);
        assertThat(limit.take("ns/p", 100)).isZero();
        assertThat(limit.untilNext("ns/p")).isEqualTo(Duration.ofMillis(200));
        clock.advance(Duration.ofMillis(600));
        assertThat(limit.take("ns/p", 100)).isEqualTo(3);
        assertThat(limit.take("ns/other", 2)).isEqualTo(2);
    }
}
