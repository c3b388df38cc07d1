package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolStatus;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps {@code spec.replicas} warm member Sandboxes per pool, built from the pool's template, and never more: creates
 * and deletes in flight are counted (see {@link Expectations}) and the pool is scaled only when the cache has caught
 * up with them.
 */
// A pool never gives up: retries back off up to a minute and never stop, and a resync every 30 s repairs a pool whose
// last event was lost (a controller restart, a watch gap), so the pool always returns to its replicas.
@ControllerConfiguration(
        name = "warmpool",
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 30, timeUnit = TimeUnit.SECONDS))
@GradualRetry(maxAttempts = -1, initialInterval = 500, intervalMultiplier = 2.0, maxInterval = 60_000)
public class WarmPoolReconciler implements Reconciler<SandboxWarmPool> {

    private static final Logger LOG = Logger.getLogger(WarmPoolReconciler.class);

    static final String TEMPLATE_INDEX = "warm-pool-template";
    static final String READY = Conditions.READY;
    static final String REPLICAS_ACCEPTED = "ReplicasAccepted";
    static final String PROGRESSING = "Progressing";
    static final String NOT_PROGRESSING_EVENT = "WarmPoolNotProgressing";
    static final String PROGRESSING_EVENT = "WarmPoolProgressing";
    static final String ABOVE_LIMIT = "ReplicasAboveLimit";

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
    private ExecutorService creators;
    private InformerEventSource<Sandbox, SandboxWarmPool> members;
    private InformerEventSource<SandboxTemplate, SandboxWarmPool> templates;
    /** Members held while Unschedulable, per pool: the Events fire on changes of this set. */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
    /** Pool uid -> the status this process last wrote (JSON). */
    private final Map<String, String> writtenStatus = new ConcurrentHashMap<>();
    /** Member uid -> its pool, so that a member leaving the pool (adopted by a claim) still wakes the pool. */
    private final Map<String, ResourceID> memberPools = new ConcurrentHashMap<>();

    /**
     * Forgets what a process restart forgets: the creation/deletion expectations, the held members, the statuses
     * this process wrote and the member index (rebuilt from the informers' first list). Only for tests that stop
     * one Operator and start another with the same reconcilers; never called while an Operator is running.
     */
    public void forgetProcessState() {
        expectations = new Expectations(clock, config.expectationsTimeout());
        held.clear();
        writtenStatus.clear();
        memberPools.clear();
    }

    @PostConstruct
    void init() {
        expectations = new Expectations(clock, config.expectationsTimeout());
        rateLimit = new RefillRateLimit(clock, config.refillRatePerSecond());
        AtomicInteger threads = new AtomicInteger();
        creators = Executors.newFixedThreadPool(Math.max(1, config.createParallelism()), r -> {
            Thread t = new Thread(r, "warm-pool-create-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void close() {
        creators.shutdownNow();
    }

    @Override
    public List<EventSource<?, SandboxWarmPool>> prepareEventSources(EventSourceContext<SandboxWarmPool> context) {
        IndexerResourceCache<SandboxWarmPool> pools = context.getPrimaryCache();
        pools.addIndexer(
                TEMPLATE_INDEX,
                pool -> pool.getSpec() == null || pool.getSpec().getSandboxTemplateRef() == null
                        ? List.of()
                        : List.of(pool.getMetadata().getNamespace() + "/"
                                + pool.getSpec().getSandboxTemplateRef().getName()));

        var memberConfig = InformerEventSourceConfiguration.from(Sandbox.class, SandboxWarmPool.class)
                .withName("warm-pool-members")
                .withLabelSelector(Labels.WARM_POOL_SANDBOX)
                .withSecondaryToPrimaryMapper(this::poolOf)
                .build();
        members = new InformerEventSource<>(memberConfig, context) {
            // An expectation is lowered only after the event source has indexed the change: lowered first, a pass
            // running in between found the expectations met but not yet the new member, and made one more.
            @Override
            public void onAdd(Sandbox sandbox) {
                super.onAdd(sandbox);
                poolKey(sandbox).ifPresent(key -> expectations.creationObserved(key));
            }

            @Override
            public synchronized void onDelete(Sandbox sandbox, boolean unknownState) {
                String uid = sandbox.getMetadata().getUid();
                ResourceID pool = memberPools.get(uid);
                super.onDelete(sandbox, unknownState);
                if (pool != null) {
                    expectations.deletionObserved(
                            key(pool.getNamespace().orElse(null), pool.getName()),
                            sandbox.getMetadata().getName());
                }
                memberPools.remove(uid);
            }
        };

        var templateConfig = InformerEventSourceConfiguration.from(SandboxTemplate.class, SandboxWarmPool.class)
                .withName("warm-pool-templates")
                .withSecondaryToPrimaryMapper(template -> pools
                        .byIndex(
                                TEMPLATE_INDEX,
                                template.getMetadata().getNamespace() + "/"
                                        + template.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        templates = new InformerEventSource<>(templateConfig, context);
        return List.of(members, templates);
    }

    /** The pool a member belongs to, or belonged to until a claim adopted it (the pool must refill). */
    private Set<ResourceID> poolOf(Sandbox sandbox) {
        String uid = sandbox.getMetadata().getUid();
        Optional<ResourceID> owner = WarmPoolMembers.controller(sandbox)
                .filter(r -> SandboxWarmPool.KIND.equals(r.getKind()))
                .map(r -> new ResourceID(r.getName(), sandbox.getMetadata().getNamespace()));
        if (owner.isPresent()) {
            memberPools.put(uid, owner.get());
            return Set.of(owner.get());
        }
        ResourceID former = memberPools.remove(uid);
        return former == null ? Set.of() : Set.of(former);
    }

    private static Optional<String> poolKey(Sandbox sandbox) {
        return WarmPoolMembers.controller(sandbox)
                .filter(r -> SandboxWarmPool.KIND.equals(r.getKind()))
                .map(r -> key(sandbox.getMetadata().getNamespace(), r.getName()));
    }

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    @Override
    public UpdateControl<SandboxWarmPool> reconcile(SandboxWarmPool pool, Context<SandboxWarmPool> context) {
        String namespace = pool.getMetadata().getNamespace();
        String name = pool.getMetadata().getName();
        String key = key(namespace, name);
        Instant now = clock.instant();
        int desired = pool.getSpec().getReplicas() == null ? 1 : pool.getSpec().getReplicas();
        List<Sandbox> current =
                members.list(namespace, s -> WarmPoolMembers.isMember(s, pool)).toList();
        int ready = (int) current.stream().filter(WarmPoolMembers::isReady).count();
        metrics.observed(namespace, name, current.size(), ready);
        PoolStatus status = new PoolStatus(pool, current.size(), ready, now);

        String templateName = pool.getSpec().getSandboxTemplateRef().getName();
        Optional<SandboxTemplate> template = templates.get(new ResourceID(templateName, namespace));
        if (template.isEmpty()) {
            status.ready(false, Conditions.TEMPLATE_NOT_FOUND, "template \"" + templateName + "\" not found");
            if (status.changed(READY, Conditions.TEMPLATE_NOT_FOUND)) {
                events.warning(
                        pool,
                        Conditions.TEMPLATE_NOT_FOUND,
                        "warm pool " + key + ": template \"" + templateName + "\" not found");
            }
            writeStatus(pool, status.build());
            return UpdateControl.noUpdate();
        }
        TemplateBlueprint blueprint;
        try {
            blueprint = TemplateBlueprint.of(template.get());
        } catch (IllegalArgumentException e) {
            status.ready(false, Conditions.RECONCILER_ERROR, e.getMessage());
            writeStatus(pool, status.build());
            return UpdateControl.noUpdate();
        }

        if (desired > config.maxReplicas()) {
            String message = "warm pool " + key + ": replicas " + desired + " is above the limit of "
                    + config.maxReplicas() + " per pool; keeping the current " + current.size() + " members";
            status.accepted(false, ABOVE_LIMIT, message);
            status.ready(false, ABOVE_LIMIT, message);
            if (status.changed(REPLICAS_ACCEPTED, ABOVE_LIMIT)) {
                LOG.warn(message);
                events.warning(pool, ABOVE_LIMIT, message);
            }
            writeStatus(pool, status.build());
            return UpdateControl.noUpdate();
        }
        status.accepted(true, "WithinLimit", "replicas " + desired + " <= " + config.maxReplicas());
        boolean allReady = ready >= desired && current.size() == desired;
        status.ready(
                allReady, allReady ? "MembersReady" : "MembersNotReady", ready + " of " + desired + " members ready");

        if (!expectations.satisfied(key)) {
            // Our own creates or deletes are not in the cache yet: scaling now could overshoot. Their events wake us.
            status.progressing(heldMembers(key));
            writeStatus(pool, status.build());
            return UpdateControl.<SandboxWarmPool>noUpdate().rescheduleAfter(Duration.ofSeconds(5));
        }

        List<Sandbox> victims = new ArrayList<>();
        if (strategy(pool) == UpdateStrategyType.RECREATE) {
            current.stream()
                    .filter(s -> !WarmPoolMembers.isCurrent(s, blueprint))
                    .forEach(victims::add);
        }
        Duration requeue = null;
        Set<String> heldNow = new HashSet<>();
        for (Sandbox member : current) {
            if (victims.contains(member) || WarmPoolMembers.isReady(member)) {
                continue;
            }
            Duration age = Duration.between(WarmPoolMembers.createdAt(member), now);
            Duration grace = config.notReadyGracePeriod();
            if (age.compareTo(grace) < 0) {
                requeue = min(requeue, grace.minus(age));
            } else if (unschedulable(member)) {
                heldNow.add(member.getMetadata().getName());
                requeue = min(requeue, grace);
            } else {
                victims.add(member);
            }
        }
        reportHeld(pool, key, heldNow);
        status.progressing(heldNow);

        List<Sandbox> active = new ArrayList<>(current);
        active.removeAll(victims);
        int diff = desired - active.size();
        if (diff < 0) {
            active.stream()
                    .sorted(Comparator.comparing(WarmPoolMembers::isReady)
                            .thenComparing(Comparator.comparing(WarmPoolMembers::createdAt)
                                    .reversed()))
                    .filter(s ->
                            !reservations.isReserved(namespace, s.getMetadata().getName()))
                    .limit(-diff)
                    .forEach(victims::add);
        }
        // A victim whose delete the API server refused (it changed meanwhile) is still a member: replacing it too
        // overshot the pool on a real API server, where a member's status moves while the pool decides.
        int refused = delete(pool, key, victims);
        if (refused > 0) {
            requeue = min(requeue, Duration.ofSeconds(1)); // decided again on what changed
        }
        int missing = diff - refused;
        if (missing > 0) {
            int allowed = rateLimit.take(key, missing);
            if (allowed < missing) {
                requeue = min(requeue, rateLimit.untilNext(key));
            }
            create(pool, key, blueprint, allowed);
        }
        writeStatus(pool, status.build());
        UpdateControl<SandboxWarmPool> control = UpdateControl.noUpdate();
        return requeue == null ? control : control.rescheduleAfter(requeue.plusMillis(50));
    }

    private static UpdateStrategyType strategy(SandboxWarmPool pool) {
        return pool.getSpec().getUpdateStrategy() == null
                        || pool.getSpec().getUpdateStrategy().getType() == null
                ? UpdateStrategyType.ON_REPLENISH
                : pool.getSpec().getUpdateStrategy().getType();
    }

    private void create(SandboxWarmPool pool, String key, TemplateBlueprint blueprint, int count) {
        if (count <= 0) {
            return;
        }
        String namespace = pool.getMetadata().getNamespace();
        AtomicInteger created = new AtomicInteger();
        expectations.expectCreations(key, count);
        int made = SlowStart.run(count, config.createParallelism(), creators, ordinal -> {
            try {
                client.resource(WarmPoolMembers.desired(pool, blueprint)).create();
                created.incrementAndGet();
                return true;
            } catch (KubernetesClientException e) {
                expectations.creationObserved(key);
                LOG.warnf("warm pool %s: creating a member failed: %s", key, e.getMessage());
                return false;
            }
        });
        for (int i = made; i < count; i++) {
            expectations.creationObserved(key);
        }
        metrics.created(namespace, pool.getMetadata().getName(), created.get());
        LOG.infof("warm pool %s: created %d of %d member(s)", key, created.get(), count);
    }

    /**
     * Deletes the victims no claim holds, each on the condition that it is unchanged; returns how many are still
     * there because the API server refused their delete (a claim adopted one, or its status moved).
     */
    private int delete(SandboxWarmPool pool, String key, List<Sandbox> victims) {
        String namespace = pool.getMetadata().getNamespace();
        List<Sandbox> free = victims.stream()
                .filter(s -> !reservations.isReserved(namespace, s.getMetadata().getName()))
                .toList();
        if (free.isEmpty()) {
            return 0;
        }
        expectations.expectDeletions(
                key, free.stream().map(s -> s.getMetadata().getName()).toList());
        int deleted = 0;
        int refused = 0;
        for (Sandbox victim : free) {
            String name = victim.getMetadata().getName();
            try {
                // The resourceVersion precondition loses against a claim that adopted the member meanwhile.
                var gone = client.resources(Sandbox.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .lockResourceVersion(victim.getMetadata().getResourceVersion())
                        .delete();
                if (gone.isEmpty()) {
                    expectations.deletionObserved(key, name);
                } else {
                    deleted++;
                }
            } catch (KubernetesClientException e) {
                expectations.deletionObserved(key, name);
                refused++;
                LOG.debugf("warm pool %s: member %s not deleted: %s", key, name, e.getMessage());
            }
        }
        metrics.deleted(namespace, pool.getMetadata().getName(), deleted);
        if (deleted > 0) {
            LOG.infof(
                    "warm pool %s: deleted %d member(s) (%s)",
                    key,
                    deleted,
                    free.stream().map(s -> s.getMetadata().getName()).toList());
        }
        return refused;
    }

    /** Unschedulable members are held, not replaced: a new Pod would not fit either. */
    private boolean unschedulable(Sandbox member) {
        Optional<Condition> scheduled = member.getStatus() == null
                ? Optional.empty()
                : Conditions.find(member.getStatus().getConditions(), Conditions.POD_SCHEDULED);
        if (scheduled.isPresent()) {
            return Conditions.FALSE.equals(scheduled.get().getStatus())
                    && "Unschedulable".equals(scheduled.get().getReason());
        }
        String podName = Optional.ofNullable(member.getMetadata().getAnnotations())
                .map(a -> a.get(Labels.POD_NAME))
                .orElse(member.getMetadata().getName());
        Pod pod = client.pods()
                .inNamespace(member.getMetadata().getNamespace())
                .withName(podName)
                .get();
        return pod != null
                && pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "PodScheduled".equals(c.getType())
                                && "False".equals(c.getStatus())
                                && "Unschedulable".equals(c.getReason()));
    }

    private Set<String> heldMembers(String key) {
        return held.getOrDefault(key, Set.of());
    }

    private void reportHeld(SandboxWarmPool pool, String key, Set<String> heldNow) {
        Set<String> before = held.getOrDefault(key, Set.of());
        Set<String> added = new HashSet<>(heldNow);
        added.removeAll(before);
        if (!added.isEmpty()) {
            String message = "warm pool " + key + ": holding Unschedulable members "
                    + added.stream().sorted().toList() + " instead of replacing them";
            LOG.warn(message);
            events.warning(pool, NOT_PROGRESSING_EVENT, message);
        }
        if (!before.isEmpty() && heldNow.isEmpty()) {
            events.normal(pool, PROGRESSING_EVENT, "warm pool " + key + ": no member is held any more");
        }
        if (heldNow.isEmpty()) {
            held.remove(key);
        } else {
            held.put(key, Set.copyOf(heldNow));
        }
    }

    private void writeStatus(SandboxWarmPool pool, SandboxWarmPoolStatus status) {
        String uid = pool.getMetadata().getUid();
        String json = Serialization.asJson(status);
        // Compare with what this process last wrote: the cached pool may not show that write yet, and skipping a
        // write because a stale cache happens to equal the new status would leave the server behind for good.
        String known = writtenStatus.getOrDefault(uid, Serialization.asJson(pool.getStatus()));
        if (Objects.equals(json, known)) {
            return;
        }
        SandboxWarmPool copy = Serialization.clone(pool);
        copy.setStatus(status);
        writtenStatus.remove(uid);
        try {
            client.resource(copy).updateStatus();
            writtenStatus.put(uid, json);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // The cached pool was stale; the status is computed from the member cache, so write it on the fresh one.
            SandboxWarmPool fresh = client.resources(SandboxWarmPool.class)
                    .inNamespace(pool.getMetadata().getNamespace())
                    .withName(pool.getMetadata().getName())
                    .get();
            if (fresh != null) {
                status.setObservedGeneration(fresh.getMetadata().getGeneration());
                fresh.setStatus(status);
                client.resource(fresh).updateStatus();
                writtenStatus.put(uid, Serialization.asJson(status));
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }

    /** The status being built for one reconcile; remembers the previous conditions to spot transitions. */
    private static final class PoolStatus {
        private final SandboxWarmPool pool;
        private final SandboxWarmPoolStatus status = new SandboxWarmPoolStatus();
        private final List<Condition> previous;
        private final Instant now;

        PoolStatus(SandboxWarmPool pool, int replicas, int ready, Instant now) {
            this.pool = pool;
            this.now = now;
            this.previous =
                    pool.getStatus() == null ? List.of() : pool.getStatus().getConditions();
            status.setReplicas(replicas);
            status.setReadyReplicas(ready);
            status.setSelector(WarmPoolMembers.selector(pool.getMetadata().getName()));
            status.setObservedGeneration(pool.getMetadata().getGeneration());
            status.setConditions(previous == null ? List.of() : previous);
        }

        void ready(boolean value, String reason, String message) {
            set(READY, value, reason, message);
        }

        void accepted(boolean value, String reason, String message) {
            set(REPLICAS_ACCEPTED, value, reason, message);
        }

        void progressing(Set<String> heldMembers) {
            if (heldMembers.isEmpty()) {
                set(PROGRESSING, true, "MembersSchedulable", "");
            } else {
                set(
                        PROGRESSING,
                        false,
                        "Unschedulable",
                        "members held while Unschedulable: "
                                + heldMembers.stream().sorted().toList());
            }
        }

        /** True when {@code type} now carries {@code reason} and did not before. */
        boolean changed(String type, String reason) {
            String before =
                    Conditions.find(previous, type).map(Condition::getReason).orElse(null);
            return !reason.equals(before);
        }

        private void set(String type, boolean value, String reason, String message) {
            status.setConditions(Conditions.with(
                    status.getConditions(),
                    type,
                    value,
                    reason,
                    message,
                    pool.getMetadata().getGeneration(),
                    now));
        }

        SandboxWarmPoolStatus build() {
            return status;
        }
    }
}
