package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import dev.agentsandbox.controller.warmpool.MemberReservations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a claim gets its one Sandbox: a Ready member of its warm pool when there is one, adopted and then recorded in
 * the claim's status (docs/api.md, adoption), otherwise, after a short wait for a member, a cold Sandbox named after
 * the claim, committed on the claim before it is created. A commit found on the claim (left by this reconcile, an
 * earlier one, a controller that stopped, or upstream's controller) is finished.
 */
final class SandboxAssignment {

    static final String SANDBOX_ADOPTED = "SandboxAdopted";

    /** The collaborators, grouped so the constructor stays readable. */
    record Parts(
            KubernetesClient client,
            Clock clock,
            ClaimConfig config,
            ClaimSources sources,
            ClaimWaiters waiters,
            ClaimCommits commits,
            WarmCandidates candidates,
            MemberReservations reservations,
            ColdStart coldStart,
            EventRecorder events) {}

    private final Parts p;
    private final Adoption adoption;
    private final ControlledSandboxes controlled;
    private final PodMetadataPolicy metadataPolicy;

    SandboxAssignment(Parts parts) {
        this.p = parts;
        this.adoption = new Adoption(parts.client());
        this.controlled = new ControlledSandboxes(parts.client(), parts.sources(), parts.events());
        this.metadataPolicy = new PodMetadataPolicy(parts.config().allowedLabelDomains());
    }

    /** A claim without a commit: check it, find its pool and template, then take a warm member or start cold. */
    ClaimProgress assign(SandboxClaim claim, Instant firstObserved) {
        Optional<Sandbox> adopted = controlled.unrecorded(claim);
        if (adopted.isPresent()) {
            p.commits().adopted(claim, adopted.get().getMetadata().getName());
            return new ClaimProgress.Bound(claim, adopted.get());
        }
        Optional<String> invalid = metadataPolicy.check(claim.getSpec().getAdditionalPodMetadata());
        if (invalid.isPresent()) {
            return blocked(claim, ClaimBlocked.invalidMetadata(invalid.get()));
        }
        PoolAndTemplate found = poolAndTemplate(claim);
        if (found.missing() != null) {
            return blocked(claim, found.missing());
        }
        TemplateBlueprint blueprint = TemplateBlueprint.of(found.template());
        if (ColdStart.required(claim)) {
            return startCold(claim, found.template(), blueprint, firstObserved);
        }
        return adoptWarmMember(claim, found, blueprint, firstObserved);
    }

    /** A claim committed to {@code name}: finish the adoption a restart interrupted, or the cold start, or choose again. */
    ClaimProgress resumeCommit(SandboxClaim claim, String name, Sandbox known, Instant firstObserved) {
        Sandbox sandbox = known != null
                ? known
                : p.client()
                        .resources(Sandbox.class)
                        .inNamespace(claim.getMetadata().getNamespace())
                        .withName(name)
                        .get();
        if (sandbox == null) {
            return commitWithoutSandbox(claim, name, firstObserved);
        }
        if (ClaimedSandboxes.controlledBy(sandbox, claim)) {
            controlled.releaseSurplus(claim, name);
            return new ClaimProgress.Bound(claim, sandbox);
        }
        return finishAdoption(claim, name, sandbox, firstObserved);
    }

    /**
     * Takes the best member this process has not promised elsewhere: the adoption, under the member's
     * resourceVersion, decides between claims; the claim's status, written next under the claim's resourceVersion,
     * records it (docs/api.md, adoption). A member another claim took meanwhile is skipped.
     */
    private ClaimProgress adoptWarmMember(
            SandboxClaim claim, PoolAndTemplate found, TemplateBlueprint blueprint, Instant firstObserved) {
        String namespace = claim.getMetadata().getNamespace();
        String uid = claim.getMetadata().getUid();
        List<String> conflicts = new ArrayList<>();
        for (Sandbox candidate : p.candidates().forClaim(claim, found.pool(), blueprint)) {
            String name = candidate.getMetadata().getName();
            if (!p.reservations().reserve(namespace, name, uid)) {
                continue;
            }
            Adoption.Result result = adoption.adopt(claim, name, candidate);
            if (result.outcome() == Adoption.Outcome.ADOPTED) {
                p.commits().adopted(claim, name);
                p.waiters().done(ResourceID.fromResource(claim));
                p.events()
                        .normal(
                                claim,
                                SANDBOX_ADOPTED,
                                "claim " + ObjectKey.of(claim) + ": adopted warm sandbox " + name + " from pool "
                                        + found.pool().getMetadata().getName());
                return new ClaimProgress.Bound(claim, result.sandbox());
            }
            if (result.outcome() == Adoption.Outcome.LOST) {
                conflicts.add(result.detail());
            }
            p.reservations().release(namespace, name, uid);
        }
        return noMemberAdopted(claim, found, blueprint, conflicts, firstObserved);
    }

    /** Every candidate was lost: try again soon. None was there: wait for one briefly, or start cold. */
    private ClaimProgress noMemberAdopted(
            SandboxClaim claim,
            PoolAndTemplate found,
            TemplateBlueprint blueprint,
            List<String> conflicts,
            Instant firstObserved) {
        if (!conflicts.isEmpty()) {
            p.events().warning(claim, Conditions.ADOPTION_CONFLICT, "claim " + ObjectKey.of(claim) + ": " + conflicts);
            return blocked(claim, ClaimBlocked.adoptionConflict("lost every candidate: " + conflicts));
        }
        String pool = found.pool().getMetadata().getName();
        ResourceID id = ResourceID.fromResource(claim);
        Duration warmWait = p.config().warmWait();
        Optional<Duration> left = ColdStart.warmWaitLeft(
                firstObserved, p.clock().instant(), warmWait, p.candidates().onTheirWay(found.pool()));
        if (left.isPresent()) {
            p.waiters().await(ClaimWaiters.members(claim.getMetadata().getNamespace(), pool), id);
            // one more look now that the claim waits: a member that turned Ready since the candidates were listed woke
            // no one, and is taken at once rather than after the wait
            boolean arrived =
                    !p.candidates().forClaim(claim, found.pool(), blueprint).isEmpty();
            return blocked(
                    claim, ClaimBlocked.waitingForWarmMember(pool, warmWait, arrived ? Duration.ZERO : left.get()));
        }
        p.waiters().done(id);
        return startCold(claim, found.template(), blueprint, firstObserved);
    }

    /** Commits the claim to a Sandbox of its own name, then creates it. */
    private ClaimProgress startCold(
            SandboxClaim claim, SandboxTemplate template, TemplateBlueprint blueprint, Instant firstObserved) {
        ColdSandbox.Result built = ColdSandbox.build(claim, template, blueprint);
        if (built.refused()) {
            // the template's policy refused the claim: a change to that template may let it through
            p.waiters()
                    .await(
                            ClaimWaiters.template(
                                    claim.getMetadata().getNamespace(),
                                    template.getMetadata().getName()),
                            ResourceID.fromResource(claim));
            return blocked(claim, ClaimBlocked.coldStartRefused(built.reason(), built.message()));
        }
        String name = claim.getMetadata().getName();
        SandboxClaim committed = p.commits().commit(claim, name, firstObserved);
        String winner = p.commits().committedSandbox(committed);
        if (!name.equals(winner)) {
            return resumeCommit(committed, winner, null, firstObserved);
        }
        p.waiters().done(ResourceID.fromResource(claim));
        Sandbox sandbox = p.coldStart()
                .create(committed, built.sandbox(), template.getMetadata().getName());
        return resumeCommit(committed, name, sandbox, firstObserved);
    }

    private ClaimProgress commitWithoutSandbox(SandboxClaim claim, String name, Instant firstObserved) {
        boolean hadIt = claim.getStatus() != null
                && claim.getStatus().getSandbox() != null
                && name.equals(claim.getStatus().getSandbox().getName());
        if (hadIt) {
            return blocked(claim, ClaimBlocked.sandboxMissing(name));
        }
        if (name.equals(claim.getMetadata().getName())) {
            // Committed to a cold start that a restart interrupted before the create: finish it.
            return finishColdStart(claim, firstObserved);
        }
        // The chosen member vanished before it was adopted: choose again.
        return assign(p.commits().takeBack(claim, name), firstObserved);
    }

    /** The Sandbox's side of a commit found on the claim: adopt it, or give the commit up. */
    private ClaimProgress finishAdoption(SandboxClaim claim, String name, Sandbox sandbox, Instant firstObserved) {
        // Keep other claims in this process off the member while the commit is finished.
        p.reservations()
                .reserve(
                        claim.getMetadata().getNamespace(),
                        name,
                        claim.getMetadata().getUid());
        Adoption.Result result = adoption.adopt(claim, name, sandbox);
        return switch (result.outcome()) {
            case ADOPTED -> {
                p.events()
                        .normal(
                                claim,
                                SANDBOX_ADOPTED,
                                "claim " + ObjectKey.of(claim) + ": adopted warm sandbox " + name
                                        + " (commit found on the claim)");
                yield new ClaimProgress.Bound(claim, result.sandbox());
            }
            case GONE -> assign(p.commits().takeBack(claim, name), firstObserved);
            case LOST -> {
                if (name.equals(claim.getMetadata().getName())) {
                    yield blocked(claim, ClaimBlocked.coldStartTaken(result.detail()));
                }
                p.events()
                        .warning(
                                claim,
                                Conditions.ADOPTION_CONFLICT,
                                "claim " + ObjectKey.of(claim) + ": " + result.detail());
                yield blocked(p.commits().takeBack(claim, name), ClaimBlocked.adoptionConflict(result.detail()));
            }
        };
    }

    private ClaimProgress finishColdStart(SandboxClaim claim, Instant firstObserved) {
        PoolAndTemplate found = poolAndTemplate(claim);
        if (found.missing() != null) {
            return blocked(claim, found.missing());
        }
        return startCold(claim, found.template(), TemplateBlueprint.of(found.template()), firstObserved);
    }

    /** The claim's pool and that pool's template; when one is missing, the claim waits for it to appear. */
    private PoolAndTemplate poolAndTemplate(SandboxClaim claim) {
        String namespace = claim.getMetadata().getNamespace();
        ResourceID id = ResourceID.fromResource(claim);
        String poolName = claim.getSpec().getWarmPoolRef().getName();
        Optional<SandboxWarmPool> pool = p.waiters()
                .findOrAwait(ClaimWaiters.pool(namespace, poolName), id, () -> p.sources()
                        .pool(namespace, poolName));
        if (pool.isEmpty()) {
            return new PoolAndTemplate(null, null, ClaimBlocked.poolNotFound(poolName));
        }
        String templateName = pool.get().getSpec().getSandboxTemplateRef().getName();
        Optional<SandboxTemplate> template = p.waiters()
                .findOrAwait(ClaimWaiters.template(namespace, templateName), id, () -> p.sources()
                        .template(namespace, templateName));
        if (template.isEmpty()) {
            return new PoolAndTemplate(pool.get(), null, ClaimBlocked.templateNotFound(poolName, templateName));
        }
        return new PoolAndTemplate(pool.get(), template.get(), null);
    }

    private record PoolAndTemplate(SandboxWarmPool pool, SandboxTemplate template, ClaimBlocked missing) {}

    private static ClaimProgress blocked(SandboxClaim claim, ClaimBlocked why) {
        return new ClaimProgress.Blocked(claim, why);
    }
}
