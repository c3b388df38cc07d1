package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.controller.Ownership;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import dev.agentsandbox.controller.warmpool.MemberReservations;
import dev.agentsandbox.controller.warmpool.WarmPoolMembers;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pool member a claim takes: Ready, valid members not promised to another claim (under Recreate only current
 * ones), ordered to spread claimed sandboxes across nodes: first the nodes with the fewest sandboxes of the same owner
 * (one user's sandboxes should not share a fate), then the nodes with the fewest claimed sandboxes overall (load),
 * then the oldest member (longest warm, least likely to be mid-start).
 */
final class WarmCandidates {

    private final ClaimSources sources;
    private final MemberReservations reservations;

    WarmCandidates(ClaimSources sources, MemberReservations reservations) {
        this.sources = sources;
        this.reservations = reservations;
    }

    /** The members the claim may take, best first. */
    List<Sandbox> forClaim(SandboxClaim claim, SandboxWarmPool pool, TemplateBlueprint blueprint) {
        String namespace = claim.getMetadata().getNamespace();
        List<Sandbox> members = sources.sandboxes(
                        namespace,
                        s -> isCandidate(s, pool, blueprint)
                                && !reservations.isReserved(
                                        namespace, s.getMetadata().getName()))
                .toList();
        if (members.size() <= 1) {
            return members;
        }
        List<Sandbox> claimed = sources.sandboxes(namespace, s -> Ownership.controllerOf(s)
                        .filter(r -> SandboxClaim.KIND.equals(r.getKind()))
                        .isPresent())
                .toList();
        return rank(members, claimed, ClaimedSandboxes.owner(claim));
    }

    /** Whether waiting for a member can pay off: members not Ready yet, or a pool below its replicas. */
    boolean onTheirWay(SandboxWarmPool pool) {
        return onTheirWay(
                pool,
                sources.sandboxes(pool.getMetadata().getNamespace(), s -> WarmPoolMembers.isMember(s, pool))
                        .toList());
    }

    static boolean isCandidate(Sandbox sandbox, SandboxWarmPool pool, TemplateBlueprint blueprint) {
        boolean recreate = pool.getSpec().getUpdateStrategy() != null
                && pool.getSpec().getUpdateStrategy().getType() == UpdateStrategyType.RECREATE;
        return WarmPoolMembers.isMember(sandbox, pool)
                && WarmPoolMembers.isReady(sandbox)
                && (!recreate || WarmPoolMembers.isCurrent(sandbox, blueprint));
    }

    /** {@code members} ordered for a claim of {@code owner} (may be null), given the sandboxes already claimed. */
    static List<Sandbox> rank(List<Sandbox> members, List<Sandbox> claimed, String owner) {
        Map<String, Integer> claimedOnNode = new HashMap<>();
        Map<String, Integer> ownersOnNode = new HashMap<>();
        for (Sandbox s : claimed) {
            claimedOnNode.merge(node(s), 1, Integer::sum);
            if (owner != null && owner.equals(labels(s).get(Labels.OWNER))) {
                ownersOnNode.merge(node(s), 1, Integer::sum);
            }
        }
        // parsed once per member, not once per comparison: this runs on every claim's way to its Sandbox
        Map<Sandbox, Instant> created = new IdentityHashMap<>();
        members.forEach(s -> created.put(s, WarmPoolMembers.createdAt(s)));
        return members.stream()
                .sorted(Comparator.<Sandbox>comparingInt(s -> ownersOnNode.getOrDefault(node(s), 0))
                        .thenComparingInt(s -> claimedOnNode.getOrDefault(node(s), 0))
                        .thenComparing(created::get)
                        .thenComparing(s -> s.getMetadata().getName()))
                .toList();
    }

    static boolean onTheirWay(SandboxWarmPool pool, List<Sandbox> members) {
        int replicas = pool.getSpec().getReplicas() == null ? 1 : pool.getSpec().getReplicas();
        if (replicas <= 0) {
            return false;
        }
        return members.size() < replicas || members.stream().anyMatch(s -> !WarmPoolMembers.isReady(s));
    }

    private static String node(Sandbox sandbox) {
        return sandbox.getStatus() == null || sandbox.getStatus().getNodeName() == null
                ? ""
                : sandbox.getStatus().getNodeName();
    }

    private static Map<String, String> labels(Sandbox sandbox) {
        return sandbox.getMetadata().getLabels() == null
                ? Map.of()
                : sandbox.getMetadata().getLabels();
    }
}
