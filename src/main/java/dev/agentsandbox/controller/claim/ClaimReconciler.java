package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.StatusPatch;
import dev.agentsandbox.controller.warmpool.MemberReservations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Gives each claim one Sandbox ({@link SandboxAssignment}: warm when a pool member is Ready, otherwise cold), shows
 * the Sandbox's readiness in the claim's status ({@link ClaimStatusFactory}) and expires the claim
 * ({@link ClaimExpiry}, {@link ClaimShutdown}); an idle Sandbox is put to sleep or its claim deleted
 * ({@link IdleSleep}, docs/idle.md). The status is written in one place ({@link #showStatus}), only when it changes;
 * after a failed reconcile the SDK writes the error status.
 */
// A claim never gives up on its sandbox: retries back off up to a minute and never stop. Its idle annotations carry
// no generation, so which updates count is said by ClaimChanges instead of the generation alone.
@ControllerConfiguration(
        name = "claim",
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = ClaimChanges.class))
@GradualRetry(maxAttempts = -1, initialInterval = 500, intervalMultiplier = 2.0, maxInterval = 60_000)
public class ClaimReconciler implements Reconciler<SandboxClaim> {

    private static final Logger LOG = Logger.getLogger(ClaimReconciler.class);
    /** How soon a claim whose status write met a newer version of it is reconciled again. */
    private static final Duration STALE_CLAIM_RETRY = Duration.ofMillis(100);

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

    @Inject
    IdleMetrics idleMetrics;

    private final ClaimWaiters waiters = new ClaimWaiters();
    private final ClaimSources sources = new ClaimSources(waiters);
    private ClaimCommits commits;
    private ClaimFirstReady firstReady;
    private ClaimStatusFactory statuses;
    private ClaimShutdown shutdown;
    private SandboxAssignment assignment;
    private IdleSleep idle;

    @PostConstruct
    void init() {
        ClaimAnnotations annotations = new ClaimAnnotations(client);
        commits = new ClaimCommits(annotations);
        firstReady = new ClaimFirstReady(clock, metrics, annotations);
        statuses = new ClaimStatusFactory(clock);
        shutdown = new ClaimShutdown(client, events);
        idle = new IdleSleep(client, sources, events, idleMetrics);
        assignment = new SandboxAssignment(new SandboxAssignment.Parts(
                client,
                clock,
                config,
                sources,
                waiters,
                commits,
                new WarmCandidates(sources, reservations),
                reservations,
                new ColdStart(client, events),
                events));
    }

    @Override
    public List<EventSource<?, SandboxClaim>> prepareEventSources(EventSourceContext<SandboxClaim> context) {
        return sources.prepare(context);
    }

    @Override
    public UpdateControl<SandboxClaim> reconcile(SandboxClaim claim, Context<SandboxClaim> context) {
        Instant now = clock.instant();
        Instant firstObserved = firstReady.firstObserved(claim, now);
        String committed = commits.committedSandbox(claim);
        Sandbox sandbox = committed == null
                ? null
                : sources.sandbox(claim.getMetadata().getNamespace(), committed).orElse(null);
        Optional<Instant> expiry = ClaimExpiry.at(claim, sandbox);
        if (expiry.isPresent() && !now.isBefore(expiry.get())) {
            boolean retained = shutdown.shutDown(claim, committed, sandbox, expiry.get());
            if (retained && !showStatus(context, claim, statuses.expired(claim, expiry.get()))) {
                return UpdateControl.<SandboxClaim>noUpdate().rescheduleAfter(STALE_CLAIM_RETRY);
            }
            return UpdateControl.noUpdate();
        }
        ClaimProgress progress = committed == null
                ? assignment.assign(claim, firstObserved)
                : assignment.resumeCommit(claim, committed, sandbox, firstObserved);
        IdleOutcome idleness = idle.apply(progress, now);
        if (idleness.claimDeleted()) {
            return UpdateControl.noUpdate();
        }
        SandboxClaimStatus status = statuses.of(progress, claim, idleness);
        if (!showStatus(context, progress.claim(), status)) {
            return UpdateControl.<SandboxClaim>noUpdate().rescheduleAfter(STALE_CLAIM_RETRY);
        }
        if (progress instanceof ClaimProgress.Bound bound && ClaimStatusFactory.isReady(status)) {
            firstReady.recordOnce(bound.claim(), bound.sandbox(), firstObserved);
        }
        UpdateControl<SandboxClaim> control = UpdateControl.noUpdate();
        Optional<Duration> untilExpiry =
                expiry.map(at -> Duration.between(now, at).plusMillis(10));
        return earliest(earliest(earliest(control, progress.retryAfter()), untilExpiry), idleness.recheck());
    }

    /** The claim's status after a failed reconcile; the SDK retries it with backoff. */
    @Override
    public ErrorStatusUpdateControl<SandboxClaim> updateErrorStatus(
            SandboxClaim claim, Context<SandboxClaim> context, Exception e) {
        LOG.warnf("claim %s: %s", ObjectKey.of(claim), e.getMessage());
        SandboxClaimStatus status = statuses.failed(claim, e);
        if (ClaimStatusFactory.unchanged(claim, status)) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        claim.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(claim);
    }

    /**
     * The only status write of a reconcile ({@link StatusPatch}): sent when the status changed, and kept in the SDK's
     * cache, so the next reconcile compares with what was written and an unchanged status is never sent. While the
     * claim shows no Sandbox in its status, the write is locked to the claim's resourceVersion: it may be the write
     * that records a warm adoption, and a stale copy of the claim must neither record a second one nor erase the
     * record (docs/api.md, adoption). False when the lock refused it; the reconcile then runs again shortly, on the
     * claim as the cache has it by then.
     */
    private static boolean showStatus(Context<SandboxClaim> context, SandboxClaim claim, SandboxClaimStatus status) {
        if (claim.getStatus() != null && claim.getStatus().getSandbox() != null) {
            StatusPatch.writeIfChanged(context, claim, claim.getStatus(), status);
            return true;
        }
        try {
            StatusPatch.writeIfChangedLocked(context, claim, claim.getStatus(), status);
            return true;
        } catch (KubernetesClientException e) {
            if (!ApiOutcomes.isConflict(e)) {
                throw e;
            }
            LOG.debugf("claim %s changed since it was read; reconciling it again", ObjectKey.of(claim));
            return false;
        }
    }

    private static UpdateControl<SandboxClaim> earliest(UpdateControl<SandboxClaim> control, Optional<Duration> delay) {
        if (delay.isEmpty()) {
            return control;
        }
        Optional<Duration> scheduled = control.getScheduleDelay().map(Duration::ofMillis);
        return scheduled.isPresent() && scheduled.get().compareTo(delay.get()) <= 0
                ? control
                : control.rescheduleAfter(delay.get());
    }

    /**
     * Forgets what a restart forgets: adoptions and commits the claim cache does not show yet, first sightings and the
     * in-process reservations. Only what the claims and Sandboxes record and the optimistic locks remain to keep the
     * guarantees. Tests call it in the middle of a burst to simulate a restart (harder than a real one: reconciles
     * already running carry on), and between stopping one Operator and starting another.
     */
    void forgetProcessState() {
        commits.forget();
        firstReady.forget();
        reservations.clear();
    }
}
