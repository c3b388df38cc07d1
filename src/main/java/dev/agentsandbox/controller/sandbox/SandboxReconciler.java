package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.StatusPatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps a Sandbox's Pod, headless Service and PersistentVolumeClaims as its spec says, and reports their state.
 * <p>
 * One pass: give up on a Sandbox being deleted (the garbage collector removes what it owns); expire it when its
 * shutdownTime has passed; fail closed when it controls more than one Pod; refuse a changed volumeClaimTemplates;
 * then claims, Service and Pod (or, when Suspended, delete only the Pod); finally aggregate the status and patch it
 * only if it changed, requeueing exactly at the shutdownTime. Failures end in {@code Ready=False/ReconcilerError}
 * and an exponential-backoff retry; a create refused because the namespace is being deleted ends the pass quietly.
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

    private ReadyAnnouncements announcements;

    @PostConstruct
    void init() {
        announcements = new ReadyAnnouncements(events, creationLatency);
    }

    @Override
    public List<EventSource<?, Sandbox>> prepareEventSources(EventSourceContext<Sandbox> context) {
        // Scoped by the tracking label, so the caches hold only sandbox objects; ownership maps them to Sandboxes.
        return List.of(
                ownedObjects(Pod.class, context),
                ownedObjects(Service.class, context),
                ownedObjects(PersistentVolumeClaim.class, context));
    }

    private static <T extends HasMetadata> EventSource<T, Sandbox> ownedObjects(
            Class<T> type, EventSourceContext<Sandbox> context) {
        var configuration = InformerEventSourceConfiguration.from(type, Sandbox.class)
                .withLabelSelector(Labels.SANDBOX_NAME_HASH)
                .build();
        return new InformerEventSource<>(configuration, context);
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
        ObservedObjects observed = ObservedObjects.of(context, sandbox);
        SandboxObjects objects = new SandboxObjects(client, events, sandbox);
        if (Expiry.expired(sandbox, now)) {
            return SandboxExpiration.expire(observed, objects)
                    .map(state -> reportStatus(context, sandbox, state, now))
                    .orElseGet(UpdateControl::noUpdate);
        }
        try {
            return reportStatus(context, sandbox, keepObjects(observed, objects), now);
        } catch (NamespaceTerminating e) {
            // the namespace's deletion removed the Pod first and will remove the Sandbox next: nothing to recreate
            LOG.debugf("%s (the namespace is being deleted)", e.getMessage());
            return UpdateControl.noUpdate();
        }
    }

    /** Brings claims, Service and Pod to the spec, unless the Sandbox controls several Pods or its spec is refused. */
    private SandboxState keepObjects(ObservedObjects observed, SandboxObjects objects) {
        Sandbox sandbox = objects.sandbox();
        if (observed.pods().size() > 1) {
            // Fail closed: choosing one could kill the wrong workload, creating one would add a third.
            return SandboxState.multiplePods(sandbox, observed.podNames(), observed.service());
        }
        String refusal = SandboxVolumes.mismatch(sandbox, observed.claims());
        if (refusal != null) {
            return SandboxState.refused(sandbox, observed.pod(), observed.service(), refusal);
        }
        new VolumeClaimDependent(objects).ensureClaims(observed.claims());
        Service service = new ServiceDependent(objects).reconcile(observed.service());
        PodDependent pod = new PodDependent(client, objects);
        if (sandbox.getSpec().getOperatingMode() == OperatingMode.SUSPENDED) {
            Pod unowned = pod.suspend(observed.pod());
            return SandboxState.reconciled(sandbox, observed.pod(), unowned, service);
        }
        return SandboxState.reconciled(sandbox, pod.keepRunning(observed.pod()), null, service);
    }

    /** The one place a pass's status is written: patched when it changed; wakes up exactly at the shutdown time. */
    private UpdateControl<Sandbox> reportStatus(
            Context<Sandbox> context, Sandbox sandbox, SandboxState state, Instant now) {
        SandboxStatus previous = sandbox.getStatus();
        SandboxStatus status = SandboxStatusAggregator.aggregate(sandbox, state, now, config.clusterDomain());
        announcements.announce(sandbox, previous, status, now);
        StatusPatch.writeIfChanged(context, sandbox, previous, status);
        UpdateControl<Sandbox> control = UpdateControl.noUpdate();
        if (!state.expired()) {
            Expiry.remaining(sandbox, now).ifPresent(control::rescheduleAfter);
        }
        return control;
    }

    @Override
    public ErrorStatusUpdateControl<Sandbox> updateErrorStatus(Sandbox sandbox, Context<Sandbox> context, Exception e) {
        SandboxStatus status = SandboxStatusAggregator.failed(sandbox, e, clock.instant());
        String message = Conditions.find(status.getConditions(), Conditions.READY)
                .orElseThrow()
                .getMessage();
        // Our own errors already name the Sandbox; name it once in the log line either way.
        String prefix = "sandbox " + ObjectKey.of(sandbox) + ": ";
        LOG.warnf("%s%s (retrying with backoff)", message.startsWith(prefix) ? "" : prefix, message);
        if (StatusPatch.same(sandbox.getStatus(), status)) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        events.warning(sandbox, Conditions.RECONCILER_ERROR, message);
        sandbox.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(sandbox);
    }
}
