package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.SandboxFixtures.claimed;
import static dev.agentsandbox.controller.claim.SandboxFixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.api.WarmPoolUpdateStrategy;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import dev.agentsandbox.controller.warmpool.PoolFixtures;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WarmCandidatesTest {

    static final SandboxWarmPool POOL = SandboxFixtures.pool("pool", 3);

    static Stream<Arguments> rankings() {
        return Stream.of(
                argumentSet(
                        "oldest first when nothing is claimed",
                        List.of(member(POOL, "young", "a", 20, true), member(POOL, "old", "b", 10, true)),
                        List.of(),
                        "alice",
                        List.of("old", "young")),
                argumentSet(
                        "name breaks a tie of age",
                        List.of(member(POOL, "m-2", "a", 10, true), member(POOL, "m-1", "a", 10, true)),
                        List.of(),
                        "alice",
                        List.of("m-1", "m-2")),
                argumentSet(
                        "away from the busier node",
                        List.of(member(POOL, "old", "busy", 10, true), member(POOL, "young", "idle", 20, true)),
                        List.of(claimed("c1", "busy", "bob")),
                        "alice",
                        List.of("young", "old")),
                argumentSet(
                        "away from the owner's own sandboxes before load",
                        List.of(member(POOL, "on-mine", "mine", 10, true), member(POOL, "on-busy", "busy", 20, true)),
                        List.of(
                                claimed("a1", "mine", "alice"),
                                claimed("b1", "busy", "bob"),
                                claimed("b2", "busy", "bob")),
                        "alice",
                        List.of("on-busy", "on-mine")),
                argumentSet(
                        "a claim without owner spreads by load only",
                        List.of(member(POOL, "on-mine", "mine", 10, true), member(POOL, "on-busy", "busy", 20, true)),
                        List.of(
                                claimed("a1", "mine", "alice"),
                                claimed("b1", "busy", "bob"),
                                claimed("b2", "busy", "bob")),
                        null,
                        List.of("on-mine", "on-busy")));
    }

    @ParameterizedTest
    @MethodSource("rankings")
    void membersAreRankedToSpreadClaimedSandboxes(
            List<Sandbox> members, List<Sandbox> claimed, String owner, List<String> expected) {
        List<Sandbox> ranked = WarmCandidates.rank(members, claimed, owner);

        assertThat(ranked).extracting(s -> s.getMetadata().getName()).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> pools() {
        return Stream.of(
                argumentSet("full and Ready", 2, List.of(true, true), false),
                argumentSet("a member still starting", 2, List.of(true, false), true),
                argumentSet("below its replicas", 3, List.of(true, true), true),
                argumentSet("scaled to zero", 0, List.of(), false));
    }

    @ParameterizedTest
    @MethodSource("pools")
    void waitingPaysOffOnlyWhenMembersAreOnTheirWay(int replicas, List<Boolean> ready, boolean onTheirWay) {
        SandboxWarmPool pool = SandboxFixtures.pool("pool", replicas);
        List<Sandbox> members = IntStream.range(0, ready.size())
                .mapToObj(i -> member(pool, "m-" + i, "a", i, ready.get(i)))
                .toList();

        assertThat(WarmCandidates.onTheirWay(pool, members)).isEqualTo(onTheirWay);
    }

    @Test
    void onlyReadyMembersOfThePoolAreCandidates() {
        SandboxWarmPool other = SandboxFixtures.pool("other", 1);

        assertThat(WarmCandidates.isCandidate(member(POOL, "m", "a", 1, true), POOL, null))
                .isTrue();
        assertThat(WarmCandidates.isCandidate(member(POOL, "m", "a", 1, false), POOL, null))
                .isFalse();
        assertThat(WarmCandidates.isCandidate(member(other, "m", "a", 1, true), POOL, null))
                .isFalse();
        assertThat(WarmCandidates.isCandidate(claimed("m", "a", "alice"), POOL, null))
                .isFalse();
    }

    @Test
    void underRecreateAStaleMemberIsNoCandidate() {
        SandboxWarmPool pool = SandboxFixtures.pool("pool", 1);
        WarmPoolUpdateStrategy recreate = new WarmPoolUpdateStrategy();
        recreate.setType(UpdateStrategyType.RECREATE);
        pool.getSpec().setUpdateStrategy(recreate);

        TemplateBlueprint blueprint = TemplateBlueprint.of(PoolFixtures.template(SandboxFixtures.NS, "tpl", "agent:1"));
        Sandbox current = member(pool, "current", "a", 1, true);
        current.getMetadata().getLabels().put(dev.agentsandbox.api.Labels.SANDBOX_TEMPLATE_HASH, blueprint.hash());

        assertThat(WarmCandidates.isCandidate(current, pool, blueprint)).isTrue();
        // A member without the current template hash is stale.
        assertThat(WarmCandidates.isCandidate(member(pool, "stale", "a", 1, true), pool, blueprint))
                .isFalse();
    }
}
