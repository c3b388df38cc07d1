package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WarmPoolStatusFactoryTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    static Stream<Arguments> blockages() {
        return Stream.of(
                argumentSet("no template", PoolBlocked.Kind.TEMPLATE_NOT_FOUND, Conditions.TEMPLATE_NOT_FOUND, null),
                argumentSet("invalid template", PoolBlocked.Kind.INVALID_TEMPLATE, Conditions.RECONCILER_ERROR, null),
                argumentSet(
                        "replicas above the limit",
                        PoolBlocked.Kind.ABOVE_LIMIT,
                        WarmPoolStatusFactory.ABOVE_LIMIT,
                        WarmPoolStatusFactory.ABOVE_LIMIT));
    }

    @ParameterizedTest
    @MethodSource("blockages")
    void aBlockageMakesThePoolNotReadyWithItsReason(PoolBlocked.Kind kind, String readyReason, String acceptedReason) {
        // given
        WarmPoolStatusFactory factory = new WarmPoolStatusFactory(pool(3), members(2, 1), CLOCK.instant());
        // when
        factory.blocked(new PoolBlocked(kind, "why"));
        SandboxWarmPoolStatus status = factory.build();
        // then
        assertThat(condition(status, Conditions.READY).getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(condition(status, Conditions.READY).getReason()).isEqualTo(readyReason);
        assertThat(condition(status, Conditions.READY).getMessage()).isEqualTo("why");
        assertThat(Conditions.find(status.getConditions(), WarmPoolStatusFactory.REPLICAS_ACCEPTED)
                        .map(Condition::getReason))
                .isEqualTo(java.util.Optional.ofNullable(acceptedReason));
        assertThat(status.getReplicas()).isEqualTo(2);
        assertThat(status.getReadyReplicas()).isEqualTo(1);
    }

    static Stream<Arguments> readiness() {
        return Stream.of(
                argumentSet("all desired members Ready", 3, 3, 3, true, "MembersReady", "3 of 3 members ready"),
                argumentSet("one still starting", 3, 3, 2, false, "MembersNotReady", "2 of 3 members ready"),
                argumentSet("one missing", 3, 2, 2, false, "MembersNotReady", "2 of 3 members ready"),
                argumentSet("one too many", 2, 3, 3, false, "MembersNotReady", "3 of 2 members ready"));
    }

    @ParameterizedTest
    @MethodSource("readiness")
    void readyWhenExactlyTheDesiredMembersAreReady(
            int desired, int members, int ready, boolean isReady, String reason, String message) {
        WarmPoolStatusFactory factory =
                new WarmPoolStatusFactory(pool(desired), members(members, ready), CLOCK.instant());
        factory.accepted(desired, 10);
        Condition condition = condition(factory.build(), Conditions.READY);
        assertThat(condition.getStatus()).isEqualTo(isReady ? Conditions.TRUE : Conditions.FALSE);
        assertThat(condition.getReason()).isEqualTo(reason);
        assertThat(condition.getMessage()).isEqualTo(message);
        assertThat(condition(factory.build(), WarmPoolStatusFactory.REPLICAS_ACCEPTED)
                        .getReason())
                .isEqualTo("WithinLimit");
    }

    @Test
    void heldMembersStopProgress() {
        WarmPoolStatusFactory factory = new WarmPoolStatusFactory(pool(2), members(2, 0), CLOCK.instant());
        factory.progressing(Set.of("p-b", "p-a"));
        Condition progressing = condition(factory.build(), WarmPoolStatusFactory.PROGRESSING);
        assertThat(progressing.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(progressing.getReason()).isEqualTo("Unschedulable");
        assertThat(progressing.getMessage()).isEqualTo("members held while Unschedulable: [p-a, p-b]");

        factory.progressing(Set.of());
        assertThat(condition(factory.build(), WarmPoolStatusFactory.PROGRESSING).getReason())
                .isEqualTo("MembersSchedulable");
    }

    @Test
    void newlyIsTrueOnlyOnTheFirstPassWithAReason() {
        SandboxWarmPool pool = pool(3);
        WarmPoolStatusFactory first = new WarmPoolStatusFactory(pool, List.of(), CLOCK.instant());
        first.blocked(new PoolBlocked(PoolBlocked.Kind.TEMPLATE_NOT_FOUND, "gone"));
        assertThat(first.newly(Conditions.READY, Conditions.TEMPLATE_NOT_FOUND)).isTrue();

        pool.setStatus(first.build());
        WarmPoolStatusFactory second = new WarmPoolStatusFactory(pool, List.of(), CLOCK.instant());
        second.blocked(new PoolBlocked(PoolBlocked.Kind.TEMPLATE_NOT_FOUND, "gone"));
        assertThat(second.newly(Conditions.READY, Conditions.TEMPLATE_NOT_FOUND))
                .isFalse();
    }

    @Test
    void theSelectorAndObservedGenerationDescribeThePool() {
        SandboxWarmPoolStatus status = new WarmPoolStatusFactory(pool(1), List.of(), CLOCK.instant()).build();
        assertThat(status.getSelector()).isEqualTo(WarmPoolMembers.selector("pool"));
        assertThat(status.getObservedGeneration()).isEqualTo(4L);
    }

    private static SandboxWarmPool pool(int replicas) {
        SandboxWarmPool pool = PoolFixtures.pool("ns", "pool", "tpl", replicas, null);
        pool.getMetadata().setGeneration(4L);
        return pool;
    }

    private static List<Sandbox> members(int count, int ready) {
        return IntStream.range(0, count)
                .mapToObj(i -> {
                    Sandbox sandbox = new Sandbox();
                    sandbox.setMetadata(
                            new ObjectMetaBuilder().withName("pool-" + i).build());
                    SandboxStatus status = new SandboxStatus();
                    status.setConditions(List.of(new ConditionBuilder()
                            .withType(Conditions.READY)
                            .withStatus(i < ready ? Conditions.TRUE : Conditions.FALSE)
                            .build()));
                    sandbox.setStatus(status);
                    return sandbox;
                })
                .toList();
    }

    private static Condition condition(SandboxWarmPoolStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type));
    }
}
