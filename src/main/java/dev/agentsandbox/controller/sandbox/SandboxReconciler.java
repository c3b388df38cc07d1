package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.api.ShutdownPolicy;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Keeps a Sandbox's Pod, headless Service and PersistentVolumeClaims as its spec says, and reports their state.
 * <p>
 * One pass: give up on a Sandbox being deleted (the garbage collector removes what it owns); expire it when its
 * shutdownTime has passed; fail closed when it controls more than one Pod; refuse a changed volumeClaimTemplates;
 * then claims, Service and Pod (or, when Suspended, delete only the Pod); finally aggregate the status and write it
 * only if it changed, requeueing exactly at the shutdownTime. API errors end in {@code Ready=False/ReconcilerError}
 * and an exponential-backoff retry.
 * <p>
 * Every object is found by ownership (controller reference UID), never by name alone; objects are created under
 * fixed names, so a create racing a stale cache or a restarted controller gets "already exists", reads the object
 * and goes on, and no second Pod can appear.
 */
// Not generation-aware: label and annotation changes (pool -> claim handover, pod-name) must reach the Pod.
@ControllerConfiguration(name = "sandbox", generationAwareEventProcessing = false)
@GradualRetry(maxAttempts = -1, initialInterval = 1000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class SandboxReconciler implements Reconciler<Sandbox> {

    private static final Logger LOG = Logger.getLogger(SandboxReconciler.class);

    @Inject
    KubernetesClient client;

    @Inject
    Clock clock;

    @Inject
    EventRecorder events;

    @Inject
    CreationLatency creationLatency;

    @Inject
    SandboxGauge gauge;

    @Inject
    SandboxControllerConfig config;

    @Override
    public List<EventSource<?, Sandbox>> prepareEventSources(EventSourceContext<Sandbox> context) {
        // Scoped by the tracking label, so the caches hold only sandbox objects; ownership maps them to Sandboxes.
        var pods = InformerEventSourceConfiguration.from(Pod.class, Sandbox.class)
                .withLabelSelector(Labels.SANDBOX_NAME_HASH)
                .build();
        var services = InformerEventSourceConfiguration.from(Service.class, Sandbox.class)
                .withLabelSelector(Labels.SANDBOX_NAME_HASH)
                .build();
        var claims = InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, Sandbox.class)
                .withLabelSelector(Labels.SANDBOX_NAME_HASH)
                .build();
        return List.of(
                new InformerEventSource<>(pods, context),
                new InformerEventSource<>(services, context),
                new InformerEventSource<>(claims, context));
    }

    @Override
    public UpdateControl<Sandbox> reconcile(Sandbox sandbox, Context<Sandbox> context) {
        var primaryCache = context.getPrimaryCache();
        if (primaryCache != null) { // null only in a context a test builds by hand
            gauge.observe(sandbox, primaryCache::list);
        }
        if (sandbox.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate();
        }
        Instant now = clock.instant();
        List<Pod> pods = owned(context, Pod.class, sandbox);
        Service service = owned(context, Service.class, sandbox).stream()
                .filter(s -> SandboxService.name(sandbox).equals(s.getMetadata().getName()))
                .findFirst()
                .orElse(null);
        List<PersistentVolumeClaim> claims = owned(context, PersistentVolumeClaim.class, sandbox);
        boolean suspended = sandbox.getSpec().getOperatingMode() == OperatingMode.SUSPENDED;
        boolean serviceRequired = Boolean.TRUE.equals(sandbox.getSpec().getService());

        if (Expiry.expired(sandbox, now)) {
            return expire(sandbox, pods, service, claims, now);
        }
        List<String> podNames =
                pods.stream().map(p -> p.getMetadata().getName()).toList();
        if (pods.size() > 1) {
            // Fail closed: choosing one could kill the wrong workload, creating one would add a third.
            return finish(
                    sandbox,
                    new SandboxState(null, podNames, null, service, serviceRequired, suspended, false, null),
                    now);
        }
        String refusal = SandboxVolumes.mismatch(sandbox, claims);
        if (refusal != null) {
            return finish(
                    sandbox,
                    new SandboxState(
                            pods.isEmpty() ? null : pods.get(0),
                            podNames,
                            null,
                            service,
                            serviceRequired,
                            suspended,
                            false,
                            refusal),
                    now);
        }

        ensureClaims(sandbox, claims);
        service = reconcileService(sandbox, service);
        Pod pod = pods.isEmpty() ? null : pods.get(0);
        Pod unowned = null;
        if (suspended) {
            if (pod != null && !SandboxPods.isTerminating(pod) && delete(pod, sandbox, "suspend")) {
                events.normal(
                        sandbox,
                        "PodDeleted",
                        "Deleted Pod " + pod.getMetadata().getName()
                                + " because operatingMode is Suspended; Service and volumes are kept");
            }
            if (pod == null) {
                unowned = unownedPodNamedFor(sandbox);
            }
        } else {
            pod = pod == null ? createOrAdoptPod(sandbox) : relabel(pod, sandbox);
        }
        return finish(
                sandbox,
                new SandboxState(
                        pod,
                        pod == null ? List.of() : List.of(pod.getMetadata().getName()),
                        unowned,
                        service,
                        serviceRequired,
                        suspended,
                        false,
                        null),
                now);
    }

    /** Deletes the owned Pod and Service; with Delete also the claims and the Sandbox itself (last, so a crash retries). */
    private UpdateControl<Sandbox> expire(
            Sandbox sandbox, List<Pod> pods, Service service, List<PersistentVolumeClaim> claims, Instant now) {
        boolean first = !Conditions.find(conditionsOf(sandbox), Conditions.READY)
                .map(c -> Conditions.SANDBOX_EXPIRED.equals(c.getReason()))
                .orElse(false);
        pods.forEach(p -> delete(p, sandbox, "expiry"));
        if (service != null) {
            delete(service, sandbox, "expiry");
        }
        if (sandbox.getSpec().getShutdownPolicy() == ShutdownPolicy.DELETE) {
            // The garbage collector would remove the claims with the Sandbox; deleting them here keeps the outcome
            // the same where no collector runs, and a crash before the Sandbox's own deletion just repeats this.
            claims.forEach(c -> delete(c, sandbox, "expiry"));
            events.normal(
                    sandbox,
                    Conditions.SANDBOX_EXPIRED,
                    "Sandbox expired at " + sandbox.getSpec().getShutdownTime()
                            + "; shutdownPolicy Delete: deleting the Sandbox");
            LOG.infof("sandbox %s: expired, deleting it (shutdownPolicy Delete)", ref(sandbox));
            delete(sandbox, sandbox, "expiry");
            return UpdateControl.noUpdate();
        }
        if (first) {
            events.normal(
                    sandbox,
                    Conditions.SANDBOX_EXPIRED,
                    "Sandbox expired at " + sandbox.getSpec().getShutdownTime()
                            + "; Pod and Service deleted, shutdownPolicy Retain");
        }
        return finish(
                sandbox,
                new SandboxState(
                        null,
                        List.of(),
                        null,
                        null,
                        false,
                        sandbox.getSpec().getOperatingMode() == OperatingMode.SUSPENDED,
                        true,
                        null),
                now);
    }

    private UpdateControl<Sandbox> finish(Sandbox sandbox, SandboxState state, Instant now) {
        SandboxStatus previous = sandbox.getStatus();
        SandboxStatus status = SandboxStatusAggregator.aggregate(sandbox, state, now, config.clusterDomain());
        announce(sandbox, previous, status, now);
        UpdateControl<Sandbox> control;
        if (sameContent(previous, status)) {
            control = UpdateControl.noUpdate();
        } else {
            sandbox.setStatus(status);
            control = UpdateControl.patchStatus(sandbox);
        }
        Optional<Duration> remaining = state.expired() ? Optional.empty() : Expiry.remaining(sandbox, now);
        // Wake up exactly at the shutdown time, not by polling.
        remaining.ifPresent(control::rescheduleAfter);
        return control;
    }

    /** Events for transitions of the Ready condition, and the creation-latency metric. */
    private void announce(Sandbox sandbox, SandboxStatus previous, SandboxStatus next, Instant now) {
        Condition before = Conditions.find(previous == null ? null : previous.getConditions(), Conditions.READY)
                .orElse(null);
        Condition after =
                Conditions.find(next.getConditions(), Conditions.READY).orElseThrow();
        if (before != null
                && Objects.equals(before.getStatus(), after.getStatus())
                && Objects.equals(before.getReason(), after.getReason())) {
            return;
        }
        switch (after.getReason()) {
            case Conditions.DEPENDENCIES_READY -> {
                events.normal(sandbox, "SandboxReady", after.getMessage());
                boolean neverSuspended = Conditions.find(
                                previous == null ? null : previous.getConditions(), Conditions.SUSPENDED)
                        .isEmpty();
                if (neverSuspended) {
                    creationLatency.readyFirstTime(sandbox, now);
                }
            }
            case Conditions.MULTIPLE_PODS, Conditions.RECONCILER_ERROR -> {
                events.warning(sandbox, after.getReason(), after.getMessage());
                LOG.warnf("sandbox %s: %s", ref(sandbox), after.getMessage());
            }
            case Conditions.SANDBOX_SUSPENDED, Conditions.POD_SUCCEEDED, Conditions.POD_FAILED -> events.normal(
                    sandbox, after.getReason(), after.getMessage());
            default -> {
                // DependenciesNotReady on the way up, SandboxExpired announced by expire(): no extra Event.
            }
        }
    }

    @Override
    public ErrorStatusUpdateControl<Sandbox> updateErrorStatus(Sandbox sandbox, Context<Sandbox> context, Exception e) {
        String message = describe(e);
        // Our own errors already name the Sandbox; name it once in the log line either way.
        String prefix = "sandbox " + ref(sandbox) + ": ";
        LOG.warnf("%s%s (retrying with backoff)", message.startsWith(prefix) ? "" : prefix, message);
        SandboxStatus previous = sandbox.getStatus();
        SandboxStatus status = previous == null ? new SandboxStatus() : Serialization.clone(previous);
        status.setSelector(Labels.SANDBOX_NAME_HASH + "=" + SandboxPods.nameHash(sandbox));
        status.setConditions(Conditions.with(
                status.getConditions(),
                Conditions.READY,
                false,
                Conditions.RECONCILER_ERROR,
                message,
                sandbox.getMetadata().getGeneration(),
                clock.instant()));
        if (sameContent(previous, status)) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        events.warning(sandbox, Conditions.RECONCILER_ERROR, message);
        sandbox.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(sandbox);
    }

    /** The message of the cause we raised (the operator SDK wraps it), else of the innermost cause. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null
                && !(t instanceof SandboxConflict)
                && !(t instanceof SandboxApiException)
                && !(t instanceof InvalidSandboxSpec)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    // --- volumes

    private void ensureClaims(Sandbox sandbox, List<PersistentVolumeClaim> owned) {
        for (PersistentVolumeClaim desired : SandboxVolumes.desired(sandbox)) {
            String name = desired.getMetadata().getName();
            if (owned.stream().anyMatch(c -> name.equals(c.getMetadata().getName()))) {
                continue;
            }
            Optional<PersistentVolumeClaim> created = create(desired, sandbox);
            if (created.isPresent()) {
                events.normal(sandbox, "PersistentVolumeClaimCreated", "Created PersistentVolumeClaim " + name);
                continue;
            }
            PersistentVolumeClaim live = existingAfterConflict(PersistentVolumeClaim.class, sandbox, name);
            adoptOrRefuse(live, sandbox, "PersistentVolumeClaim", () -> {
                Ownership.adopt(live, sandbox);
                // The tracking label brings it into the label-scoped cache, so later passes see it as owned.
                Map<String, String> labels = live.getMetadata().getLabels() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(live.getMetadata().getLabels());
                labels.put(Labels.SANDBOX_NAME_HASH, SandboxPods.nameHash(sandbox));
                live.getMetadata().setLabels(labels);
                return live;
            });
        }
    }

    // --- service

    private Service reconcileService(Sandbox sandbox, Service owned) {
        Boolean wanted = sandbox.getSpec().getService();
        if (Boolean.FALSE.equals(wanted)) {
            if (owned != null && delete(owned, sandbox, "service: false")) {
                events.normal(
                        sandbox,
                        "ServiceDeleted",
                        "Deleted Service " + owned.getMetadata().getName() + " because service is false");
            }
            return null;
        }
        Service desired = SandboxService.desired(sandbox);
        if (owned != null) {
            if (Boolean.TRUE.equals(wanted) && SandboxService.drifted(owned, desired)) {
                Service copy = Serialization.clone(owned);
                Map<String, String> labels = copy.getMetadata().getLabels() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(copy.getMetadata().getLabels());
                labels.put(Labels.SANDBOX_NAME_HASH, SandboxPods.nameHash(sandbox));
                copy.getMetadata().setLabels(labels);
                copy.getSpec().setSelector(desired.getSpec().getSelector());
                copy.getSpec().setPorts(desired.getSpec().getPorts());
                return update(copy, sandbox, "realign");
            }
            return owned;
        }
        if (wanted == null) {
            return null; // unset: keep an existing one, never create one
        }
        Optional<Service> created = create(desired, sandbox);
        if (created.isPresent()) {
            events.normal(
                    sandbox,
                    "ServiceCreated",
                    "Created headless Service " + desired.getMetadata().getName());
            return created.get();
        }
        Service live = existingAfterConflict(
                Service.class, sandbox, desired.getMetadata().getName());
        if (live.getSpec().getClusterIP() != null
                && !live.getSpec().getClusterIP().isEmpty()
                && !"None".equals(live.getSpec().getClusterIP())
                && Ownership.of(live, sandbox) == Ownership.UNOWNED) {
            throw new SandboxConflict("sandbox " + ref(sandbox) + ": Service "
                    + live.getMetadata().getName()
                    + " exists with clusterIP " + live.getSpec().getClusterIP()
                    + "; it cannot become headless (clusterIP is immutable), not adopting it");
        }
        return adoptOrRefuse(live, sandbox, "Service", () -> {
            Ownership.adopt(live, sandbox);
            Map<String, String> labels = live.getMetadata().getLabels() == null
                    ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(live.getMetadata().getLabels());
            labels.put(Labels.SANDBOX_NAME_HASH, SandboxPods.nameHash(sandbox));
            live.getMetadata().setLabels(labels);
            live.getSpec().setSelector(desired.getSpec().getSelector());
            live.getSpec().setPorts(desired.getSpec().getPorts());
            return live;
        });
    }

    // --- pod

    private Pod createOrAdoptPod(Sandbox sandbox) {
        Pod desired = SandboxPods.desired(sandbox);
        Optional<Pod> created = create(desired, sandbox);
        if (created.isPresent()) {
            events.normal(
                    sandbox,
                    "PodCreated",
                    "Created Pod " + desired.getMetadata().getName());
            return created.get();
        }
        Pod live =
                existingAfterConflict(Pod.class, sandbox, desired.getMetadata().getName());
        return adoptOrRefuse(live, sandbox, "Pod", () -> {
            Ownership.adopt(live, sandbox);
            SandboxPodMetadata.of(sandbox).applyTo(live.getMetadata());
            return live;
        });
    }

    /** Brings an owned Pod's labels and annotations back in place; the Pod is never restarted for metadata. */
    private Pod relabel(Pod pod, Sandbox sandbox) {
        if (SandboxPods.isTerminating(pod)) {
            return pod;
        }
        SandboxPodMetadata wanted = SandboxPodMetadata.of(sandbox);
        Pod current = pod;
        for (int attempt = 1; ; attempt++) {
            Pod copy = Serialization.clone(current);
            if (!wanted.applyTo(copy.getMetadata())) {
                return current;
            }
            LOG.debugf(
                    "sandbox %s: relabelling Pod %s in place",
                    ref(sandbox), pod.getMetadata().getName());
            try {
                return client.resource(copy).update();
            } catch (KubernetesClientException e) {
                // The kubelet writes Pod status all the time, so a cached resourceVersion is often just behind:
                // read the Pod again and reapply, rather than report a transient error as ReconcilerError.
                if (e.getCode() != 409 || attempt == 3) {
                    throw failure("updating (relabel)", copy, sandbox, e);
                }
                current = get(Pod.class, sandbox, pod.getMetadata().getName());
                if (current == null || Ownership.of(current, sandbox) != Ownership.OWNED) {
                    return null; // gone or no longer ours: the event that follows brings the next pass
                }
            }
        }
    }

    /** A Pod under the wanted name that this Sandbox does not control (reported while suspended), if any. */
    private Pod unownedPodNamedFor(Sandbox sandbox) {
        Pod live = get(Pod.class, sandbox, SandboxPods.podName(sandbox));
        return live != null && Ownership.of(live, sandbox) != Ownership.OWNED ? live : null;
    }

    /**
     * Handles an object found under a name the Sandbox wanted to create: ours (a stale cache), adoptable (labelled
     * for it), or refused (another controller's, or not labelled). Refusal is an error naming both objects.
     */
    private <T extends HasMetadata> T adoptOrRefuse(T live, Sandbox sandbox, String kind, Supplier<T> adoption) {
        String name = live.getMetadata().getName();
        switch (Ownership.of(live, sandbox)) {
            case OWNED -> {
                return live;
            }
            case OTHER -> throw new SandboxConflict("sandbox " + ref(sandbox) + ": " + kind + " " + name
                    + " is controlled by " + Ownership.describeController(live) + "; not touching it");
            default -> {
                if (!Ownership.adoptable(live, SandboxPods.nameHash(sandbox))) {
                    throw new SandboxConflict("sandbox " + ref(sandbox) + ": " + kind + " " + name
                            + " exists without an owner and without the " + Labels.ADOPTABLE + "=true or "
                            + Labels.SANDBOX_NAME_HASH + "=" + SandboxPods.nameHash(sandbox)
                            + " label; not adopting it");
                }
                T adopted = update(adoption.get(), sandbox, "adopt");
                events.normal(sandbox, kind + "Adopted", "Adopted " + kind + " " + name);
                LOG.infof("sandbox %s: adopted %s %s", ref(sandbox), kind, name);
                return adopted;
            }
        }
    }

    // --- API calls, each error naming the object

    private <T extends HasMetadata> List<T> owned(Context<Sandbox> context, Class<T> type, Sandbox sandbox) {
        return context.getSecondaryResources(type).stream()
                .filter(o -> Ownership.of(o, sandbox) == Ownership.OWNED)
                .sorted(Comparator.comparing(o -> o.getMetadata().getName()))
                .toList();
    }

    /** Creates {@code object}; empty when one of that name already exists (the caller decides what it is). */
    private <T extends HasMetadata> Optional<T> create(T object, Sandbox sandbox) {
        try {
            return Optional.of(client.resource(object).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Optional.empty();
            }
            throw failure("creating", object, sandbox, e);
        }
    }

    /**
     * The object a create was refused for with 409. When none exists (it was deleted in between, or the conflict was
     * not "already exists"), nothing would bring this Sandbox back: no event comes for an object that is not in the
     * label-scoped cache. So this fails, and the reconciler's backoff retries the create.
     */
    private <T extends HasMetadata> T existingAfterConflict(Class<T> type, Sandbox sandbox, String name) {
        T live = get(type, sandbox, name);
        if (live == null) {
            throw new SandboxApiException(
                    "sandbox " + ref(sandbox) + ": creating " + type.getSimpleName() + " " + name
                            + " met a conflict (409) but no such " + type.getSimpleName() + " exists; retrying",
                    null);
        }
        return live;
    }

    private <T extends HasMetadata> T get(Class<T> type, Sandbox sandbox, String name) {
        try {
            return client.resources(type)
                    .inNamespace(sandbox.getMetadata().getNamespace())
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            throw new SandboxApiException(
                    "sandbox " + ref(sandbox) + ": reading " + type.getSimpleName() + " " + name + " failed: "
                            + reason(e),
                    e);
        }
    }

    /** An update with the object's resourceVersion: a concurrent change gives a conflict and a retry, never a lost write. */
    private <T extends HasMetadata> T update(T object, Sandbox sandbox, String why) {
        try {
            return client.resource(object).update();
        } catch (KubernetesClientException e) {
            throw failure("updating (" + why + ")", object, sandbox, e);
        }
    }

    /** Deletes {@code object}; false when it was already gone. */
    private boolean delete(HasMetadata object, Sandbox sandbox, String why) {
        try {
            return !client.resource(object).delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw failure("deleting (" + why + ")", object, sandbox, e);
        }
    }

    private static SandboxApiException failure(
            String action, HasMetadata object, Sandbox sandbox, KubernetesClientException e) {
        return new SandboxApiException(
                "sandbox " + ref(sandbox) + ": " + action + " " + object.getKind() + " "
                        + object.getMetadata().getName() + " failed: " + reason(e),
                e);
    }

    private static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getCode() + " " + e.getStatus().getMessage();
        }
        return e.getMessage();
    }

    static String ref(Sandbox sandbox) {
        return sandbox.getMetadata().getNamespace() + "/"
                + sandbox.getMetadata().getName();
    }

    private static List<Condition> conditionsOf(Sandbox sandbox) {
        return sandbox.getStatus() == null ? null : sandbox.getStatus().getConditions();
    }

    private static boolean sameContent(SandboxStatus a, SandboxStatus b) {
        return Objects.equals(Serialization.asJson(a), Serialization.asJson(b));
    }
}
