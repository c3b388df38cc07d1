package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.ClaimShutdownPolicy;
import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import dev.agentsandbox.controller.warmpool.MemberReservations;
import dev.agentsandbox.controller.warmpool.WarmPoolMembers;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Gives each claim one Sandbox: a Ready member of its warm pool when there is one (adopted in SPEC's commit order),
 * otherwise a cold Sandbox named after the claim. Mirrors the Sandbox's readiness and expires the claim.
 */
// A claim never gives up on its sandbox: retries back off up to a minute and never stop.
@ControllerConfiguration(name = "claim")
@GradualRetry(maxAttempts = -1, initialInterval = 500, intervalMultiplier = 2.0, maxInterval = 60_000)
public class ClaimReconciler implements Reconciler<SandboxClaim> {

    private static final Logger LOG = Logger.getLogger(ClaimReconciler.class);

    static final String SANDBOX_ADOPTED = "SandboxAdopted";
    static final String SANDBOX_PROVISIONED = "SandboxProvisioned";

    @Inject
    KubernetesClient client;

    @Inject
    Clock clock;

    @Inject
    ClaimConfig config;

    @Inject
    MemberReservations reservations;

    @Inject
    EventRecorder events;

    @Inject
    ClaimMetrics metrics;

    private Adoption adoption;
    private PodMetadataPolicy metadataPolicy;
    private final ClaimWaiters waiters = new ClaimWaiters();
    /** Claim uid -> first time this process saw it, until the time is written to the claim. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    /** Claim uid -> committed Sandbox name, for reconciles that run before the claim cache shows the commit. */
    private final Map<String, String> commits = new ConcurrentHashMap<>();
    /** Claim uid -> the status this process last wrote (JSON). */
    private final Map<String, String> writtenStatus = new ConcurrentHashMap<>();
    /** Claims whose first-Ready metrics were recorded by this process. */
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();

    private InformerEventSource<Sandbox, SandboxClaim> sandboxes;
    private InformerEventSource<SandboxWarmPool, SandboxClaim> pools;
    private InformerEventSource<SandboxTemplate, SandboxClaim> templates;

    @PostConstruct
    void init() {
        adoption = new Adoption(client);
        metadataPolicy = new PodMetadataPolicy(config.allowedLabelDomains());
    }

    /**
     * Forgets what a restart forgets: uncached commits and the in-process reservations. Only the claims' annotations
     * and the optimistic locks remain to keep the guarantees. Tests call it in the middle of a burst to simulate a
     * restart (harder than a real one: reconciles already running carry on), and between stopping one Operator and
     * starting another (reliability tests).
     */
    public void forgetProcessState() {
        commits.clear();
        firstSeen.clear();
        writtenStatus.clear();
        reservations.clear();
    }

    @Override
    public List<EventSource<?, SandboxClaim>> prepareEventSources(EventSourceContext<SandboxClaim> context) {
        IndexerResourceCache<SandboxClaim> claims = context.getPrimaryCache();
        Function<Set<ResourceID>, Set<ResourceID>> existing =
                ids -> ids.stream().filter(id -> claims.get(id).isPresent()).collect(Collectors.toSet());
        var sandboxConfig = InformerEventSourceConfiguration.from(Sandbox.class, SandboxClaim.class)
                .withName("claim-sandboxes")
                .withLabelSelector(Labels.LAUNCH_TYPE)
                .withSecondaryToPrimaryMapper(sandbox -> existing.apply(claimsFor(sandbox)))
                .build();
        sandboxes = new InformerEventSource<>(sandboxConfig, context);
        var poolConfig = InformerEventSourceConfiguration.from(SandboxWarmPool.class, SandboxClaim.class)
                .withName("claim-pools")
                .withSecondaryToPrimaryMapper(pool -> existing.apply(waiters.waitingFor(ClaimWaiters.pool(
                        pool.getMetadata().getNamespace(), pool.getMetadata().getName()))))
                .build();
        pools = new InformerEventSource<>(poolConfig, context);
        var templateConfig = InformerEventSourceConfiguration.from(SandboxTemplate.class, SandboxClaim.class)
                .withName("claim-templates")
                .withSecondaryToPrimaryMapper(t -> existing.apply(waiters.waitingFor(ClaimWaiters.template(
                        t.getMetadata().getNamespace(), t.getMetadata().getName()))))
                .build();
        templates = new InformerEventSource<>(templateConfig, context);
        return List.of(sandboxes, pools, templates);
    }

    /** A claim's own Sandbox wakes the claim; a Ready pool member wakes the claims waiting for that pool. */
    private Set<ResourceID> claimsFor(Sandbox sandbox) {
        String namespace = sandbox.getMetadata().getNamespace();
        Optional<ResourceID> owner = ClaimedSandboxes.controller(sandbox)
                .filter(r -> SandboxClaim.KIND.equals(r.getKind()))
                .map(r -> new ResourceID(r.getName(), namespace));
        if (owner.isPresent()) {
            return Set.of(owner.get());
        }
        Set<ResourceID> result = new HashSet<>();
        Optional<String> pool = WarmPoolMembers.controller(sandbox)
                .filter(r -> SandboxWarmPool.KIND.equals(r.getKind()))
                .map(r -> r.getName());
        if (pool.isPresent() && WarmPoolMembers.isReady(sandbox)) {
            result.addAll(waiters.waitingFor(ClaimWaiters.members(namespace, pool.get())));
        }
        return result;
    }

    @Override
    public UpdateControl<SandboxClaim> reconcile(SandboxClaim claim, Context<SandboxClaim> context) {
        Instant now = clock.instant();
        Instant firstObserved = firstObserved(claim, now);
        String committed = committedSandbox(claim);
        Sandbox sandbox = committed == null
                ? null
                : sandboxes
                        .get(new ResourceID(committed, claim.getMetadata().getNamespace()))
                        .orElse(null);

        Optional<Instant> expiry = ClaimExpiry.at(claim, sandbox);
        if (expiry.isPresent() && !now.isBefore(expiry.get())) {
            return expire(claim, sandbox, expiry.get(), now);
        }
        UpdateControl<SandboxClaim> control;
        try {
            control = committed != null
                    ? follow(claim, committed, sandbox, firstObserved, now)
                    : assign(claim, firstObserved, now);
        } catch (KubernetesClientException e) {
            LOG.warnf("claim %s: %s", key(claim), e.getMessage());
            writeStatus(
                    claim,
                    status(
                            claim,
                            false,
                            Conditions.RECONCILER_ERROR,
                            "claim " + key(claim) + ": " + e.getMessage(),
                            now));
            throw e;
        }
        if (expiry.isPresent()) {
            Duration left = Duration.between(now, expiry.get()).plusMillis(10);
            Duration scheduled =
                    control.getScheduleDelay().map(Duration::ofMillis).orElse(null);
            if (scheduled == null || left.compareTo(scheduled) < 0) {
                control = control.rescheduleAfter(left);
            }
        }
        return control;
    }

    /** A claim without a commit: resolve pool and template, then adopt warm, wait briefly, or start cold. */
    private UpdateControl<SandboxClaim> assign(SandboxClaim claim, Instant firstObserved, Instant now) {
        String namespace = claim.getMetadata().getNamespace();
        ResourceID id = ResourceID.fromResource(claim);
        Optional<String> invalid = metadataPolicy.check(claim.getSpec().getAdditionalPodMetadata());
        if (invalid.isPresent()) {
            writeStatus(
                    claim,
                    status(
                            claim,
                            false,
                            Conditions.INVALID_METADATA,
                            "claim " + key(claim) + ": " + invalid.get(),
                            now));
            return UpdateControl.noUpdate();
        }
        String poolName = claim.getSpec().getWarmPoolRef().getName();
        Optional<SandboxWarmPool> pool = pools.get(new ResourceID(poolName, namespace));
        if (pool.isEmpty()) {
            waiters.await(ClaimWaiters.pool(namespace, poolName), id);
            writeStatus(
                    claim,
                    status(
                            claim,
                            false,
                            Conditions.WARM_POOL_NOT_FOUND,
                            "claim " + key(claim) + ": warm pool \"" + poolName + "\" not found",
                            now));
            return UpdateControl.noUpdate();
        }
        String templateName = pool.get().getSpec().getSandboxTemplateRef().getName();
        Optional<SandboxTemplate> template = templates.get(new ResourceID(templateName, namespace));
        if (template.isEmpty()) {
            waiters.await(ClaimWaiters.template(namespace, templateName), id);
            writeStatus(
                    claim,
                    status(
                            claim,
                            false,
                            Conditions.TEMPLATE_NOT_FOUND,
                            "claim " + key(claim) + ": template \"" + templateName + "\" of warm pool \"" + poolName
                                    + "\" not found",
                            now));
            return UpdateControl.noUpdate();
        }
        TemplateBlueprint blueprint = TemplateBlueprint.of(template.get());
        boolean mustStartCold =
                notEmpty(claim.getSpec().getEnv()) || notEmpty(claim.getSpec().getVolumeClaimTemplates());
        if (mustStartCold) {
            return cold(claim, template.get(), blueprint, firstObserved, now);
        }

        List<String> conflicts = new ArrayList<>();
        SandboxClaim current = claim;
        for (Sandbox candidate : candidates(claim, pool.get(), blueprint)) {
            String name = candidate.getMetadata().getName();
            if (!reservations.reserve(namespace, name, claim.getMetadata().getUid())) {
                continue;
            }
            SandboxClaim committedClaim = commit(current, name, firstObserved);
            String winner = committedSandbox(committedClaim);
            if (!name.equals(winner)) {
                reservations.release(namespace, name, claim.getMetadata().getUid());
                return follow(committedClaim, winner, null, firstObserved, now);
            }
            Adoption.Result result = adoption.adopt(committedClaim, name, candidate);
            if (result.outcome() == Adoption.Outcome.ADOPTED) {
                waiters.done(id);
                UpdateControl<SandboxClaim> control = mirror(committedClaim, result.sandbox(), firstObserved, now);
                // After the status: the Event is for readers, not on the claim's path to Ready.
                events.normal(
                        committedClaim,
                        SANDBOX_ADOPTED,
                        "claim " + key(claim) + ": adopted warm sandbox " + name + " from pool " + poolName);
                return control;
            }
            // Lost or gone before our Sandbox write: take the commit back and try the next member.
            if (result.outcome() == Adoption.Outcome.LOST) {
                conflicts.add(result.detail());
            }
            current = uncommit(committedClaim, name);
            reservations.release(namespace, name, claim.getMetadata().getUid());
        }
        if (!conflicts.isEmpty()) {
            events.warning(current, Conditions.ADOPTION_CONFLICT, "claim " + key(claim) + ": " + conflicts);
            writeStatus(
                    current,
                    status(
                            current,
                            false,
                            Conditions.ADOPTION_CONFLICT,
                            "claim " + key(claim) + ": lost every candidate: " + conflicts,
                            now));
            return UpdateControl.<SandboxClaim>noUpdate().rescheduleAfter(Duration.ofMillis(100));
        }
        Duration waited = Duration.between(firstObserved, now);
        if (waited.compareTo(config.warmWait()) < 0 && membersOnTheirWay(pool.get())) {
            waiters.await(ClaimWaiters.members(namespace, poolName), id);
            writeStatus(
                    current,
                    status(
                            current,
                            false,
                            Conditions.SANDBOX_CREATE_PENDING,
                            "claim " + key(claim) + ": waiting up to "
                                    + config.warmWait().toMillis() + " ms for a warm sandbox of pool " + poolName,
                            now));
            return UpdateControl.<SandboxClaim>noUpdate()
                    .rescheduleAfter(config.warmWait().minus(waited));
        }
        waiters.done(id);
        return cold(current, template.get(), blueprint, firstObserved, now);
    }

    /**
     * Ready, valid members of the pool not promised to another claim: under Recreate only current ones. Ordered to
     * spread claimed sandboxes across nodes: first the nodes with the fewest sandboxes of the same owner (one user's
     * sandboxes should not share a fate), then the nodes with the fewest claimed sandboxes overall (load), then the
     * oldest member (longest warm, least likely to be mid-start).
     */
    private List<Sandbox> candidates(SandboxClaim claim, SandboxWarmPool pool, TemplateBlueprint blueprint) {
        String namespace = claim.getMetadata().getNamespace();
        boolean recreate = pool.getSpec().getUpdateStrategy() != null
                && pool.getSpec().getUpdateStrategy().getType() == UpdateStrategyType.RECREATE;
        List<Sandbox> members = sandboxes
                .list(
                        namespace,
                        s -> WarmPoolMembers.isMember(s, pool)
                                && WarmPoolMembers.isReady(s)
                                && (!recreate || WarmPoolMembers.isCurrent(s, blueprint))
                                && !reservations.isReserved(
                                        namespace, s.getMetadata().getName()))
                .toList();
        if (members.size() <= 1) {
            return members;
        }
        String owner = ClaimedSandboxes.owner(claim);
        Map<String, Integer> claimedOnNode = new HashMap<>();
        Map<String, Integer> ownersOnNode = new HashMap<>();
        sandboxes
                .list(namespace, s -> ClaimedSandboxes.controller(s)
                        .filter(r -> SandboxClaim.KIND.equals(r.getKind()))
                        .isPresent())
                .forEach(s -> {
                    String node = node(s);
                    claimedOnNode.merge(node, 1, Integer::sum);
                    if (owner != null && owner.equals(labels(s).get(Labels.OWNER))) {
                        ownersOnNode.merge(node, 1, Integer::sum);
                    }
                });
        return members.stream()
                .sorted(Comparator.<Sandbox>comparingInt(s -> ownersOnNode.getOrDefault(node(s), 0))
                        .thenComparingInt(s -> claimedOnNode.getOrDefault(node(s), 0))
                        .thenComparing(WarmPoolMembers::createdAt)
                        .thenComparing(s -> s.getMetadata().getName()))
                .toList();
    }

    /** Whether waiting can pay off: members not Ready yet, or a pool below its replicas that is refilling. */
    private boolean membersOnTheirWay(SandboxWarmPool pool) {
        int replicas = pool.getSpec().getReplicas() == null ? 1 : pool.getSpec().getReplicas();
        if (replicas <= 0) {
            return false;
        }
        List<Sandbox> members = sandboxes
                .list(pool.getMetadata().getNamespace(), s -> WarmPoolMembers.isMember(s, pool))
                .toList();
        return members.size() < replicas || members.stream().anyMatch(s -> !WarmPoolMembers.isReady(s));
    }

    private UpdateControl<SandboxClaim> cold(
            SandboxClaim claim,
            SandboxTemplate template,
            TemplateBlueprint blueprint,
            Instant firstObserved,
            Instant now) {
        ColdSandbox.Result built = ColdSandbox.build(claim, template, blueprint);
        if (built.refused()) {
            writeStatus(claim, status(claim, false, built.reason(), built.message(), now));
            return UpdateControl.noUpdate();
        }
        String name = claim.getMetadata().getName();
        SandboxClaim committedClaim = commit(claim, name, firstObserved);
        String winner = committedSandbox(committedClaim);
        if (!name.equals(winner)) {
            return follow(committedClaim, winner, null, firstObserved, now);
        }
        waiters.done(ResourceID.fromResource(claim));
        Sandbox created;
        try {
            created = client.resource(built.sandbox()).create();
            events.normal(
                    committedClaim,
                    SANDBOX_PROVISIONED,
                    "claim " + key(claim) + ": started sandbox " + name + " cold from template "
                            + template.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return follow(committedClaim, name, null, firstObserved, now);
        }
        return mirror(committedClaim, created, firstObserved, now);
    }

    /** The claim has a commit: finish the adoption if a restart interrupted it, then mirror the Sandbox. */
    private UpdateControl<SandboxClaim> follow(
            SandboxClaim claim, String name, Sandbox cached, Instant firstObserved, Instant now) {
        String namespace = claim.getMetadata().getNamespace();
        Sandbox sandbox = cached != null
                ? cached
                : client.resources(Sandbox.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
        boolean hadIt = claim.getStatus() != null
                && claim.getStatus().getSandbox() != null
                && name.equals(claim.getStatus().getSandbox().getName());
        if (sandbox == null && cached == null && hadIt) {
            writeStatus(
                    claim,
                    status(
                            claim,
                            false,
                            Conditions.SANDBOX_MISSING,
                            "claim " + key(claim) + ": sandbox " + name + " no longer exists",
                            now));
            return UpdateControl.noUpdate();
        }
        if (sandbox == null && cached != null) {
            sandbox = client.resources(Sandbox.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
        }
        if (sandbox == null) {
            if (name.equals(claim.getMetadata().getName())) {
                // Committed to a cold start that a restart interrupted before the create: finish it.
                return assignCold(claim, firstObserved, now);
            }
            // The chosen member vanished before it was adopted: choose again.
            return assign(uncommit(claim, name), firstObserved, now);
        }
        if (!ClaimedSandboxes.controlledBy(sandbox, claim)) {
            // Keep other claims in this process off the member while the commit is finished.
            reservations.reserve(namespace, name, claim.getMetadata().getUid());
            Adoption.Result result = adoption.adopt(claim, name, sandbox);
            switch (result.outcome()) {
                case ADOPTED -> {
                    events.normal(
                            claim,
                            SANDBOX_ADOPTED,
                            "claim " + key(claim) + ": adopted warm sandbox " + name + " (commit found on the claim)");
                    sandbox = result.sandbox();
                }
                case GONE -> {
                    return assign(uncommit(claim, name), firstObserved, now);
                }
                default -> {
                    if (name.equals(claim.getMetadata().getName())) {
                        writeStatus(
                                claim,
                                status(
                                        claim,
                                        false,
                                        Conditions.RECONCILER_ERROR,
                                        "claim " + key(claim) + ": cannot start cold: " + result.detail(),
                                        now));
                        return UpdateControl.<SandboxClaim>noUpdate().rescheduleAfter(Duration.ofSeconds(30));
                    }
                    events.warning(claim, Conditions.ADOPTION_CONFLICT, "claim " + key(claim) + ": " + result.detail());
                    SandboxClaim released = uncommit(claim, name);
                    writeStatus(
                            released,
                            status(
                                    released,
                                    false,
                                    Conditions.ADOPTION_CONFLICT,
                                    "claim " + key(claim) + ": " + result.detail(),
                                    now));
                    return UpdateControl.<SandboxClaim>noUpdate().rescheduleAfter(Duration.ofMillis(100));
                }
            }
        }
        return mirror(claim, sandbox, firstObserved, now);
    }

    private UpdateControl<SandboxClaim> assignCold(SandboxClaim claim, Instant firstObserved, Instant now) {
        String namespace = claim.getMetadata().getNamespace();
        SandboxWarmPool pool = pools.get(
                        new ResourceID(claim.getSpec().getWarmPoolRef().getName(), namespace))
                .orElse(null);
        SandboxTemplate template = pool == null
                ? null
                : templates
                        .get(new ResourceID(
                                pool.getSpec().getSandboxTemplateRef().getName(), namespace))
                        .orElse(null);
        if (template == null) {
            writeStatus(
                    claim,
                    status(
                            claim,
                            false,
                            pool == null ? Conditions.WARM_POOL_NOT_FOUND : Conditions.TEMPLATE_NOT_FOUND,
                            "claim " + key(claim) + ": cannot finish the cold start of " + "sandbox "
                                    + claim.getMetadata().getName() + ": its pool or template is missing",
                            now));
            waiters.await(
                    pool == null
                            ? ClaimWaiters.pool(
                                    namespace, claim.getSpec().getWarmPoolRef().getName())
                            : ClaimWaiters.template(
                                    namespace,
                                    pool.getSpec().getSandboxTemplateRef().getName()),
                    ResourceID.fromResource(claim));
            return UpdateControl.noUpdate();
        }
        return cold(claim, template, TemplateBlueprint.of(template), firstObserved, now);
    }

    /** Status from the Sandbox; on the first Ready, the claim-first-ready-at annotation and the metrics. */
    private UpdateControl<SandboxClaim> mirror(
            SandboxClaim claim, Sandbox sandbox, Instant firstObserved, Instant now) {
        SandboxClaimStatus status = new SandboxClaimStatus();
        ClaimedSandbox claimed = new ClaimedSandbox();
        claimed.setName(sandbox.getMetadata().getName());
        List<Condition> sandboxConditions =
                sandbox.getStatus() == null ? null : sandbox.getStatus().getConditions();
        if (sandbox.getStatus() != null
                && sandbox.getStatus().getPodIPs() != null
                && !sandbox.getStatus().getPodIPs().isEmpty()) {
            claimed.setPodIPs(sandbox.getStatus().getPodIPs());
        }
        status.setSandbox(claimed);
        List<Condition> previous =
                claim.getStatus() == null ? null : claim.getStatus().getConditions();
        Optional<Condition> ready = Conditions.find(sandboxConditions, Conditions.READY);
        boolean isReady = ready.map(c -> Conditions.TRUE.equals(c.getStatus())).orElse(false);
        String reason;
        String message;
        if (isReady) {
            reason = ready.get().getReason();
            message = "sandbox " + claimed.getName() + " is Ready";
        } else if (ready.map(c -> Conditions.SANDBOX_EXPIRED.equals(c.getReason()))
                .orElse(false)) {
            reason = Conditions.SANDBOX_EXPIRED;
            message = "sandbox " + claimed.getName() + " expired";
        } else {
            reason = Conditions.SANDBOX_NOT_READY;
            message = "sandbox " + claimed.getName() + " is not Ready"
                    + ready.map(c -> ": " + c.getReason()
                                    + (c.getMessage() == null || c.getMessage().isEmpty()
                                            ? ""
                                            : " (" + c.getMessage() + ")"))
                            .orElse("");
        }
        List<Condition> conditions = Conditions.with(
                previous,
                Conditions.READY,
                isReady,
                reason,
                message,
                claim.getMetadata().getGeneration(),
                now);
        Optional<Condition> finished = Conditions.find(sandboxConditions, Conditions.FINISHED);
        if (finished.isPresent()) {
            Condition f = finished.get();
            conditions = Conditions.with(
                    conditions,
                    Conditions.FINISHED,
                    Conditions.TRUE.equals(f.getStatus()),
                    f.getReason(),
                    f.getMessage(),
                    claim.getMetadata().getGeneration(),
                    now);
            // Keep the Sandbox's transition time: ttlSecondsAfterFinished counts from it.
            conditions = withTransition(conditions, Conditions.FINISHED, f.getLastTransitionTime());
        } else {
            conditions = Conditions.without(conditions, Conditions.FINISHED);
        }
        status.setConditions(conditions);
        SandboxClaim written = writeStatus(claim, status);
        if (isReady
                && annotation(claim, Labels.CLAIM_FIRST_READY_AT) == null
                && recorded.add(claim.getMetadata().getUid())) {
            // The clock is read again: the reconcile's start time would hide the adoption's own writes.
            firstReady(written, sandbox, firstObserved, clock.instant());
        }
        return UpdateControl.noUpdate();
    }

    private void firstReady(SandboxClaim claim, Sandbox sandbox, Instant firstObserved, Instant now) {
        String launchType = labels(sandbox).getOrDefault(Labels.LAUNCH_TYPE, "unknown");
        String template = Optional.ofNullable(sandbox.getMetadata().getAnnotations())
                .map(a -> a.get(Labels.SANDBOX_TEMPLATE_REF))
                .orElse("unknown");
        Duration clientLatency = null;
        String requested = annotation(claim, Labels.CLIENT_FIRST_REQUESTED_AT);
        if (requested != null) {
            try {
                clientLatency = Duration.between(Instant.parse(requested), now);
            } catch (DateTimeParseException e) {
                LOG.debugf("claim %s: unreadable %s: %s", key(claim), Labels.CLIENT_FIRST_REQUESTED_AT, requested);
            }
        }
        metrics.firstReady(
                claim.getMetadata().getNamespace(),
                launchType,
                template,
                Duration.between(firstObserved, now),
                clientLatency);
        Map<String, String> stamp = new HashMap<>();
        stamp.put(Labels.CLAIM_FIRST_READY_AT, now.toString());
        stamp.put(
                Labels.CONTROLLER_FIRST_OBSERVED_AT,
                annotation(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT) == null
                        ? firstObserved.toString()
                        : annotation(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT));
        adoption.annotate(claim, stamp, fresh -> annotation(fresh, Labels.CLAIM_FIRST_READY_AT) == null ? fresh : null);
        firstSeen.remove(claim.getMetadata().getUid());
    }

    private UpdateControl<SandboxClaim> expire(SandboxClaim claim, Sandbox sandbox, Instant at, Instant now) {
        boolean alreadyExpired = claim.getStatus() != null
                && Conditions.find(claim.getStatus().getConditions(), Conditions.READY)
                        .map(c -> Conditions.CLAIM_EXPIRED.equals(c.getReason()))
                        .orElse(false);
        ClaimShutdownPolicy policy = claim.getSpec().getLifecycle().getShutdownPolicy() == null
                ? ClaimShutdownPolicy.RETAIN
                : claim.getSpec().getLifecycle().getShutdownPolicy();
        if (!alreadyExpired) {
            events.normal(
                    claim,
                    Conditions.CLAIM_EXPIRED,
                    "claim " + key(claim) + " expired at " + at + "; shutdownPolicy " + policy.value());
        }
        switch (policy) {
            case DELETE -> client.resource(claim)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
            case DELETE_FOREGROUND -> client.resource(claim)
                    .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                    .delete();
            case RETAIN -> {
                if (sandbox == null && committedSandbox(claim) != null) {
                    sandbox = client.resources(Sandbox.class)
                            .inNamespace(claim.getMetadata().getNamespace())
                            .withName(committedSandbox(claim))
                            .get();
                }
                if (sandbox != null && ClaimedSandboxes.controlledBy(sandbox, claim)) {
                    client.resource(sandbox).delete();
                }
                SandboxClaimStatus status = status(
                        claim,
                        false,
                        Conditions.CLAIM_EXPIRED,
                        "claim " + key(claim) + " expired at " + at + "; its sandbox was deleted",
                        now);
                status.setSandbox(
                        claim.getStatus() == null ? null : claim.getStatus().getSandbox());
                if (status.getSandbox() != null) {
                    status.getSandbox().setPodIPs(null);
                }
                writeStatus(claim, status);
            }
        }
        return UpdateControl.noUpdate();
    }

    /** Records the chosen Sandbox on the claim (the commit). If another commit won meanwhile, that one is returned. */
    private SandboxClaim commit(SandboxClaim claim, String sandboxName, Instant firstObserved) {
        String existing = annotation(claim, Labels.SANDBOX_NAME);
        if (sandboxName.equals(existing)) {
            return claim;
        }
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Labels.SANDBOX_NAME, sandboxName);
        if (annotation(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT) == null) {
            annotations.put(Labels.CONTROLLER_FIRST_OBSERVED_AT, firstObserved.toString());
        }
        SandboxClaim result = adoption.annotate(
                claim, annotations, fresh -> annotation(fresh, Labels.SANDBOX_NAME) == null ? fresh : null);
        String winner = annotation(result, Labels.SANDBOX_NAME);
        if (winner != null) {
            commits.put(claim.getMetadata().getUid(), winner);
        }
        return result;
    }

    /** Takes back a commit whose Sandbox was lost or vanished before it was adopted. */
    private SandboxClaim uncommit(SandboxClaim claim, String sandboxName) {
        commits.remove(claim.getMetadata().getUid(), sandboxName);
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Labels.SANDBOX_NAME, null);
        return adoption.annotate(
                claim, annotations, fresh -> sandboxName.equals(annotation(fresh, Labels.SANDBOX_NAME)) ? fresh : null);
    }

    private String committedSandbox(SandboxClaim claim) {
        String annotated = annotation(claim, Labels.SANDBOX_NAME);
        if (annotated != null) {
            commits.remove(claim.getMetadata().getUid());
            return annotated;
        }
        return commits.get(claim.getMetadata().getUid());
    }

    private Instant firstObserved(SandboxClaim claim, Instant now) {
        String annotated = annotation(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT);
        if (annotated != null) {
            try {
                return Instant.parse(annotated);
            } catch (DateTimeParseException e) {
                LOG.debugf("claim %s: unreadable %s: %s", key(claim), Labels.CONTROLLER_FIRST_OBSERVED_AT, annotated);
            }
        }
        return firstSeen.computeIfAbsent(claim.getMetadata().getUid(), k -> now);
    }

    private SandboxClaimStatus status(SandboxClaim claim, boolean ready, String reason, String message, Instant now) {
        SandboxClaimStatus status = new SandboxClaimStatus();
        List<Condition> previous =
                claim.getStatus() == null ? null : claim.getStatus().getConditions();
        status.setConditions(Conditions.with(
                previous,
                Conditions.READY,
                ready,
                reason,
                message,
                claim.getMetadata().getGeneration(),
                now));
        if (claim.getStatus() != null) {
            status.setSandbox(claim.getStatus().getSandbox());
        }
        return status;
    }

    /** Writes the status under the claim's resourceVersion; after a conflict, on a fresh read. */
    private SandboxClaim writeStatus(SandboxClaim claim, SandboxClaimStatus status) {
        String uid = claim.getMetadata().getUid();
        String json = Serialization.asJson(status);
        // Compared with this process's last write, not only the cache, which may not show that write yet.
        if (Objects.equals(json, writtenStatus.getOrDefault(uid, Serialization.asJson(claim.getStatus())))) {
            return claim;
        }
        SandboxClaim next = Serialization.clone(claim);
        next.setStatus(status);
        writtenStatus.remove(uid);
        SandboxClaim written;
        try {
            written = client.resource(next).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            SandboxClaim fresh = client.resources(SandboxClaim.class)
                    .inNamespace(claim.getMetadata().getNamespace())
                    .withName(claim.getMetadata().getName())
                    .get();
            if (fresh == null) {
                return claim;
            }
            fresh.setStatus(status);
            written = client.resource(fresh).updateStatus();
        }
        writtenStatus.put(uid, json);
        return written;
    }

    private static List<Condition> withTransition(List<Condition> conditions, String type, String transition) {
        if (transition == null) {
            return conditions;
        }
        List<Condition> result = new ArrayList<>();
        for (Condition c : conditions) {
            if (type.equals(c.getType())) {
                Condition copy = Serialization.clone(c);
                copy.setLastTransitionTime(transition);
                result.add(copy);
            } else {
                result.add(c);
            }
        }
        return result;
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

    private static String annotation(SandboxClaim claim, String key) {
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static boolean notEmpty(List<?> list) {
        return list != null && !list.isEmpty();
    }

    private static String key(SandboxClaim claim) {
        return claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
    }
}
