package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PoolScalingTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");
    private static final Duration GRACE = Duration.ofMinutes(2);

    /** Names starting with "held" are Unschedulable, "claimed" reserved by a claim, "stale" from an old template. */
    private final PoolScaling scaling =
            new PoolScaling(GRACE, NOW, m -> m.getMetadata().getName().startsWith("held"), m -> m.getMetadata()
                    .getName()
                    .startsWith("claimed"));

    static Stream<Arguments> plans() {
        return Stream.of(
                argumentSet("an empty pool is filled", List.of(), 3, List.of(), 3),
                argumentSet("a full pool is left alone", List.of(ready("a", 9), ready("b", 8)), 2, List.of(), 0),
                argumentSet(
                        "the surplus goes, newest first",
                        List.of(ready("old", 9), ready("new", 1), ready("mid", 5)),
                        1,
                        List.of("new", "mid"),
                        -2),
                argumentSet(
                        "the surplus goes, not-Ready before Ready",
                        List.of(ready("new", 1), starting("starting", 1)),
                        1,
                        List.of("starting"),
                        -1),
                argumentSet(
                        "a member a claim holds is not surplus",
                        List.of(ready("claimed", 1), ready("other", 5)),
                        1,
                        List.of("other"),
                        -1),
                argumentSet(
                        "a member not Ready after the grace period is replaced",
                        List.of(starting("stuck", 5), ready("ok", 6)),
                        2,
                        List.of("stuck"),
                        1),
                argumentSet(
                        "an Unschedulable member is held, not replaced",
                        List.of(starting("held", 5), ready("ok", 6)),
                        2,
                        List.of(),
                        0),
                argumentSet(
                        "a stale member is replaced",
                        List.of(ready("stale", 9), ready("ok", 6)),
                        2,
                        List.of("stale"),
                        1));
    }

    @ParameterizedTest
    @MethodSource("plans")
    void decidesWhatToRetireAndHowManyAreMissing(
            List<Sandbox> members, int desired, List<String> retired, int missing) {
        PoolScaling.Plan plan =
                scaling.plan(members, desired, m -> m.getMetadata().getName().startsWith("stale"));
        assertThat(plan.retire()).map(m -> m.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(retired);
        assertThat(plan.missing()).isEqualTo(missing);
    }

    @Test
    void aMemberWithinItsGracePeriodIsWaitedForUntilItEnds() {
        PoolScaling.Plan plan = scaling.plan(List.of(member("young", Duration.ofSeconds(30), false)), 1, m -> false);
        assertThat(plan.retire()).isEmpty();
        assertThat(plan.missing()).isZero();
        assertThat(plan.requeue()).isEqualTo(GRACE.minusSeconds(30));
    }

    @Test
    void aHeldMemberIsNamedAndLookedAtAgainAfterAGracePeriod() {
        PoolScaling.Plan plan = scaling.plan(List.of(starting("held-1", 5)), 1, m -> false);
        assertThat(plan.held()).isEqualTo(Set.of("held-1"));
        assertThat(plan.requeue()).isEqualTo(GRACE);
    }

    private static Sandbox ready(String name, int minutesOld) {
        return member(name, Duration.ofMinutes(minutesOld), true);
    }

    private static Sandbox starting(String name, int minutesOld) {
        return member(name, Duration.ofMinutes(minutesOld), false);
    }

    private static Sandbox member(String name, Duration age, boolean ready) {
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withCreationTimestamp(NOW.minus(age).toString())
                .build());
        SandboxStatus status = new SandboxStatus();
        status.setConditions(List.of(new ConditionBuilder()
                .withType(Conditions.READY)
                .withStatus(ready ? Conditions.TRUE : Conditions.FALSE)
                .build()));
        sandbox.setStatus(status);
        return sandbox;
    }
}
