package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolSpec;
import dev.agentsandbox.controller.warmpool.WarmPoolMembers;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sandboxes, pools and claims as the claim controller's unit tests need them, without an API server. */
final class SandboxFixtures {

    static final String NS = "ns";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private SandboxFixtures() {}

    static SandboxWarmPool pool(String name, Integer replicas) {
        SandboxWarmPool pool = new SandboxWarmPool();
        pool.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NS)
                .withUid(name + "-uid")
                .build());
        SandboxWarmPoolSpec spec = new SandboxWarmPoolSpec();
        spec.setReplicas(replicas);
        pool.setSpec(spec);
        return pool;
    }

    /** A member of {@code pool} on {@code node}, created {@code age} seconds after T0. */
    static Sandbox member(SandboxWarmPool pool, String name, String node, long createdSecond, boolean ready) {
        Sandbox sandbox = sandbox(name, node, ready);
        sandbox.getMetadata().setCreationTimestamp(T0.plusSeconds(createdSecond).toString());
        sandbox.getMetadata()
                .getLabels()
                .put(
                        Labels.WARM_POOL_SANDBOX,
                        WarmPoolMembers.poolHash(pool.getMetadata().getName()));
        sandbox.getMetadata()
                .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withKind(SandboxWarmPool.KIND)
                        .withName(pool.getMetadata().getName())
                        .withUid(pool.getMetadata().getUid())
                        .withController(true)
                        .build()));
        return sandbox;
    }

    /** A Sandbox on {@code node} that a claim of {@code owner} (may be null) controls. */
    static Sandbox claimed(String name, String node, String owner) {
        Sandbox sandbox = sandbox(name, node, true);
        if (owner != null) {
            sandbox.getMetadata().getLabels().put(Labels.OWNER, owner);
        }
        SandboxClaim claim = ClaimFixtures.claim(NS, "claim-of-" + name, "pool");
        claim.getMetadata().setUid("claim-of-" + name + "-uid");
        sandbox.getMetadata().setOwnerReferences(List.of(ClaimedSandboxes.ownerReference(claim)));
        return sandbox;
    }

    static Sandbox sandbox(String name, String node, boolean ready) {
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NS)
                .withLabels(new HashMap<>())
                .build());
        SandboxStatus status = new SandboxStatus();
        status.setNodeName(node);
        status.setConditions(Conditions.with(
                null,
                Conditions.READY,
                ready,
                ready ? Conditions.DEPENDENCIES_READY : Conditions.DEPENDENCIES_NOT_READY,
                "",
                1L,
                T0));
        sandbox.setStatus(status);
        return sandbox;
    }

    static Sandbox withCondition(Sandbox sandbox, Condition condition) {
        List<Condition> conditions = new ArrayList<>(sandbox.getStatus().getConditions());
        conditions.removeIf(c -> c.getType().equals(condition.getType()));
        conditions.add(condition);
        sandbox.getStatus().setConditions(conditions);
        return sandbox;
    }

    /** A claim with uid and generation, as the API server returns it. */
    static SandboxClaim claim(String name, Map<String, String> labels) {
        SandboxClaim claim = ClaimFixtures.claim(NS, name, "pool");
        claim.getMetadata().setUid(name + "-uid");
        claim.getMetadata().setGeneration(1L);
        claim.getMetadata().setLabels(labels);
        return claim;
    }
}
