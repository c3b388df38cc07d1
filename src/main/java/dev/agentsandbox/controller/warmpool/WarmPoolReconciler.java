package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolStatus;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.StatusPatch;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Keeps {@code spec.replicas} warm member Sandboxes per pool, built from the pool's template, and never more: creates
 * and deletes in flight are counted (see {@link Expectations}) and the pool is scaled only when the cache has caught
 * up with them.
 * <p>
 * One pass: read the members and the template; stop at a blockage ({@link PoolBlocked}: no template, an invalid one,
 * replicas above the limit); wait while expectations are outstanding; otherwise decide ({@link PoolScaling}), retire
 * ({@link MemberRetirement}) and create ({@link MemberCreation}, rate-limited); finally patch the status computed by
 * {@link WarmPoolStatusFactory} if it changed.
 */
// A pool never gives up: retries back off up to a minute and never stop, and a resync every 30 s repairs a pool whose
// last event was lost (a controller restart, a watch gap), so the pool always returns to its replicas.
@ControllerConfiguration(
        name = "warmpool",
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 30, timeUnit = TimeUnit.SECONDS))
@GradualRetry(maxAttempts = -1, initialInterval = 500, intervalMultiplier = 2.0, maxInterval = 60_000)
public class WarmPoolReconciler implements Reconciler<SandboxWarmPool> {

    private static final Logger LOG = Logger.getLogger(WarmPoolReconciler.class);
    private static final Duration WHILE_EXPECTING = Duration.ofSeconds(5);
    private static final Duration AFTER_REFUSED_DELETE = Duration.ofSeconds(1);

    @Inject
    KubernetesClient client;

    @Inject
    Clock clock;

    @Inject
    WarmPoolConfig config;

    @Inject
    MemberReservations reservations;

    @Inject
    EventRecorder events;

    @Inject
    WarmPoolMetrics metrics;

    Expectations expectations;
    private RefillRateLimit rateLimit;
    private WarmPoolEventSources sources;
    private HeldMembers held;
    private MemberCreation creation;
    private MemberRetirement retirement;

    @PostConstruct
    void init() {
        expectations = new Expectations(clock, config.expectationsTimeout());
        rateLimit = new RefillRateLimit(clock, config.refillRatePerSecond());
        sources = new WarmPoolEventSources(expectations);
        held = new HeldMembers(client, events);
        creation = new MemberCreation(client, expectations, metrics, config.createParallelism());
        retirement = new MemberRetirement(client, expectations, reservations, metrics);
    }

    @PreDestroy
    void close() {
        creation.close();
    }

    /**
     * Forgets what a process restart forgets: the creation/deletion expectations, the held members and the member
     * index (rebuilt from the informers' first list). Only for tests that stop one Operator and start another with
     * the same reconcilers; never called while an Operator is running.
     */
    void forgetProcessState() {
        expectations.clear();
        held.clear();
        sources.clear();
    }

    @Override
    public List<EventSource<?, SandboxWarmPool>> prepareEventSources(EventSourceContext<SandboxWarmPool> context) {
        return sources.prepare(context);
    }

    @Override
    public UpdateControl<SandboxWarmPool> reconcile(SandboxWarmPool pool, Context<SandboxWarmPool> context) {
        List<Sandbox> members = sources.membersOf(pool);
        WarmPoolStatusFactory status = new WarmPoolStatusFactory(pool, members, clock.instant());
        metrics.observed(
                pool.getMetadata().getNamespace(),
                pool.getMetadata().getName(),
                members.size(),
                status.readyReplicas());
        Optional<Duration> requeue;
        try {
            requeue = scale(pool, members, status);
        } catch (PoolBlocked blocked) {
            status.blocked(blocked);
            announce(pool, blocked, status);
            requeue = Optional.empty();
        }
        return patchStatusIfChanged(context, pool, status.build(), requeue);
    }

    /** Retires and creates members towards the replicas; returns when to look again. */
    private Optional<Duration> scale(SandboxWarmPool pool, List<Sandbox> members, WarmPoolStatusFactory status)
            throws PoolBlocked {
        String key = ObjectKey.of(pool);
        TemplateBlueprint blueprint = blueprintOf(pool, key);
        int desired = acceptedReplicas(pool, key, members);
        status.accepted(desired, config.maxReplicas());
        if (!expectations.satisfied(key)) {
            // Our own creates or deletes are not in the cache yet: scaling now could overshoot. Their events wake us.
            status.progressing(held.of(key));
            return Optional.of(WHILE_EXPECTING);
        }
        PoolScaling.Plan plan = scaling(pool).plan(members, desired, staleUnder(pool, blueprint));
        held.hold(pool, key, plan.held());
        status.progressing(plan.held());
        Duration requeue = plan.requeue();
        // A member whose delete the API server refused (it changed meanwhile) is still a member: replacing it too
        // overshot the pool on a real API server, where a member's status moves while the pool decides.
        int refused = retirement.retire(pool, key, plan.retire());
        if (refused > 0) {
            requeue = PoolScaling.earlier(requeue, AFTER_REFUSED_DELETE); // decided again on what changed
        }
        int missing = plan.missing() - refused;
        if (missing > 0) {
            int allowed = rateLimit.take(key, missing);
            if (allowed < missing) {
                requeue = PoolScaling.earlier(requeue, rateLimit.untilNext(key));
            }
            creation.create(pool, key, blueprint, allowed);
        }
        return Optional.ofNullable(requeue).map(r -> r.plusMillis(50));
    }

    private TemplateBlueprint blueprintOf(SandboxWarmPool pool, String key) throws PoolBlocked {
        Optional<SandboxTemplate> template = sources.templateOf(pool);
        if (template.isEmpty()) {
            throw new PoolBlocked(
                    PoolBlocked.Kind.TEMPLATE_NOT_FOUND,
                    "template \"" + pool.getSpec().getSandboxTemplateRef().getName() + "\" not found");
        }
        try {
            return TemplateBlueprint.of(template.get());
        } catch (IllegalArgumentException e) {
            throw new PoolBlocked(PoolBlocked.Kind.INVALID_TEMPLATE, e.getMessage());
        }
    }

    private int acceptedReplicas(SandboxWarmPool pool, String key, List<Sandbox> members) throws PoolBlocked {
        int desired = pool.getSpec().getReplicas() == null ? 1 : pool.getSpec().getReplicas();
        if (desired > config.maxReplicas()) {
            throw new PoolBlocked(
                    PoolBlocked.Kind.ABOVE_LIMIT,
                    "warm pool " + key + ": replicas " + desired + " is above the limit of " + config.maxReplicas()
                            + " per pool; keeping the current " + members.size() + " members");
        }
        return desired;
    }

    private PoolScaling scaling(SandboxWarmPool pool) {
        String namespace = pool.getMetadata().getNamespace();
        return new PoolScaling(
                config.notReadyGracePeriod(),
                clock.instant(),
                held::isUnschedulable,
                member ->
                        reservations.isReserved(namespace, member.getMetadata().getName()));
    }

    /** With the Recreate strategy, members built from an older template are stale; otherwise none is. */
    private static Predicate<Sandbox> staleUnder(SandboxWarmPool pool, TemplateBlueprint blueprint) {
        boolean recreate = pool.getSpec().getUpdateStrategy() != null
                && pool.getSpec().getUpdateStrategy().getType() == UpdateStrategyType.RECREATE;
        return recreate ? member -> !WarmPoolMembers.isCurrent(member, blueprint) : member -> false;
    }

    /** Warns once when a blockage begins: a missing template, replicas above the limit. */
    private void announce(SandboxWarmPool pool, PoolBlocked blocked, WarmPoolStatusFactory status) {
        String key = ObjectKey.of(pool);
        switch (blocked.kind()) {
            case TEMPLATE_NOT_FOUND -> {
                if (status.newly(WarmPoolStatusFactory.READY, Conditions.TEMPLATE_NOT_FOUND)) {
                    events.warning(
                            pool, Conditions.TEMPLATE_NOT_FOUND, "warm pool " + key + ": " + blocked.getMessage());
                }
            }
            case ABOVE_LIMIT -> {
                if (status.newly(WarmPoolStatusFactory.REPLICAS_ACCEPTED, WarmPoolStatusFactory.ABOVE_LIMIT)) {
                    LOG.warn(blocked.getMessage());
                    events.warning(pool, WarmPoolStatusFactory.ABOVE_LIMIT, blocked.getMessage());
                }
            }
            case INVALID_TEMPLATE -> {}
        }
    }

    /**
     * The one place the pool's status is written ({@link StatusPatch}). The written pool goes to the operator SDK's
     * cache for the next pass, so comparing with the cached status never skips a write the server has not seen.
     */
    private static UpdateControl<SandboxWarmPool> patchStatusIfChanged(
            Context<SandboxWarmPool> context,
            SandboxWarmPool pool,
            SandboxWarmPoolStatus status,
            Optional<Duration> requeue) {
        StatusPatch.writeIfChanged(context, pool, pool.getStatus(), status);
        UpdateControl<SandboxWarmPool> control = UpdateControl.noUpdate();
        requeue.ifPresent(control::rescheduleAfter);
        return control;
    }
}
