package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.IdleAnnotations.IdleAction;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Carries out a claim's idle policy (docs/idle.md) on its Sandbox: puts an idle Sandbox to sleep (one update under
 * the resourceVersion that was judged idle, so activity the router wrote meanwhile wins) or deletes the idle claim,
 * takes the idle mark off a Sandbox the router woke, and reports a policy that cannot be read. {@link ClaimIdleness}
 * decides; this class writes.
 */
final class IdleSleep {

    static final String IDLE_DELETED = "IdleDeleted";
    static final String IDLE_WOKEN = "IdleWoken";
    /** A Sandbox that changed under a write is looked at again after this, if no event came first. */
    static final Duration AFTER_CONFLICT = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(IdleSleep.class);

    private final KubernetesClient client;
    private final ClaimSources sources;
    private final EventRecorder events;
    private final IdleMetrics metrics;
    /** Template uid -> the invalid-policy message last reported on it, so its claims report it once, not each. */
    private final Map<String, String> reportedTemplates = new ConcurrentHashMap<>();

    IdleSleep(KubernetesClient client, ClaimSources sources, EventRecorder events, IdleMetrics metrics) {
        this.client = client;
        this.sources = sources;
        this.events = events;
        this.metrics = metrics;
    }

    /** Applies the idle policy to the Sandbox the claim is bound to, if it is. */
    IdleOutcome apply(ClaimProgress progress, Instant now) {
        if (!(progress instanceof ClaimProgress.Bound bound)) {
            return IdleOutcome.NO_POLICY;
        }
        SandboxClaim claim = bound.claim();
        Sandbox sandbox = bound.sandbox();
        IdlePolicy policy =
                IdlePolicy.of(claim, sources.templateOf(claim, sandbox).orElse(null));
        if (policy instanceof IdlePolicy.Invalid invalid) {
            reportOnce(claim, invalid);
        }
        ClaimIdleness idleness = ClaimIdleness.of(policy, claim, sandbox, now);
        if (idleness instanceof ClaimIdleness.Awake awake) {
            return IdleOutcome.awake(
                    policy, Duration.between(now, awake.deadline()).plusMillis(10));
        }
        if (idleness instanceof ClaimIdleness.Asleep) {
            return IdleOutcome.asleep(policy);
        }
        if (idleness instanceof ClaimIdleness.Woken) {
            return unmark(claim, sandbox, policy);
        }
        if (idleness instanceof ClaimIdleness.Expired expired) {
            IdlePolicy.Active active = (IdlePolicy.Active) policy;
            return expired.action() == IdleAction.SUSPEND
                    ? suspend(claim, sandbox, active, expired.idleSince())
                    : deleteClaim(claim, sandbox, active, now);
        }
        return IdleOutcome.awake(policy, null);
    }

    /** One write: operatingMode Suspended and the idle mark, under the resourceVersion that was judged idle. */
    private IdleOutcome suspend(SandboxClaim claim, Sandbox sandbox, IdlePolicy.Active policy, Instant idleSince) {
        boolean written = update(sandbox, s -> {
            s.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
            s.getMetadata().getAnnotations().put(IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE);
        });
        if (!written) {
            return IdleOutcome.awake(policy, AFTER_CONFLICT);
        }
        events.normal(
                claim,
                Conditions.IDLE_SUSPENDED,
                "claim " + ObjectKey.of(claim) + ": sandbox "
                        + sandbox.getMetadata().getName()
                        + " suspended, idle since " + idleSince + " (" + policy.describe()
                        + "); the next request through the router wakes it");
        metrics.suspended(namespace(claim), template(sandbox));
        return IdleOutcome.asleep(policy);
    }

    /** The cache may lag behind the router's last activity: the Sandbox is read once more before the claim goes. */
    private IdleOutcome deleteClaim(SandboxClaim claim, Sandbox cached, IdlePolicy.Active policy, Instant now) {
        Sandbox fresh = client.resources(Sandbox.class)
                .inNamespace(namespace(claim))
                .withName(cached.getMetadata().getName())
                .get();
        ClaimIdleness again = ClaimIdleness.of(policy, claim, fresh, now);
        if (!(again instanceof ClaimIdleness.Expired expired)) {
            return IdleOutcome.awake(policy, AFTER_CONFLICT);
        }
        events.normal(
                claim,
                IDLE_DELETED,
                "claim " + ObjectKey.of(claim) + ": deleted, its sandbox idle since " + expired.idleSince() + " ("
                        + policy.describe() + ")");
        metrics.deleted(namespace(claim), template(fresh));
        ApiOutcomes.unlessGone(() -> client.resource(claim)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete());
        return IdleOutcome.deleted(policy);
    }

    /** The router woke the Sandbox (operatingMode Running); the idle mark goes, and the claim mirrors it again. */
    private IdleOutcome unmark(SandboxClaim claim, Sandbox sandbox, IdlePolicy policy) {
        if (!update(sandbox, s -> s.getMetadata().getAnnotations().remove(IdleAnnotations.SUSPENDED_BY))) {
            return IdleOutcome.awake(policy, AFTER_CONFLICT);
        }
        events.normal(
                claim,
                IDLE_WOKEN,
                "claim " + ObjectKey.of(claim) + ": sandbox "
                        + sandbox.getMetadata().getName() + " is running again after an idle suspension");
        metrics.woken(namespace(claim), template(sandbox));
        return IdleOutcome.awake(policy, null);
    }

    /**
     * Updates a copy of the cached Sandbox under its resourceVersion. False when the Sandbox changed meanwhile (the
     * change's event brings the next look) or is gone.
     */
    private boolean update(Sandbox cached, Consumer<Sandbox> change) {
        Sandbox next = Serialization.clone(cached);
        next.getMetadata()
                .setAnnotations(new HashMap<>(
                        next.getMetadata().getAnnotations() == null
                                ? Map.of()
                                : next.getMetadata().getAnnotations()));
        change.accept(next);
        try {
            client.resource(next).update();
            return true;
        } catch (KubernetesClientException e) {
            if (ApiOutcomes.isConflict(e) || ApiOutcomes.isNotFound(e)) {
                LOG.debugf(
                        "sandbox %s changed before the idle policy's write: %s", ObjectKey.of(cached), e.getMessage());
                return false;
            }
            throw e;
        }
    }

    /**
     * A Warning Event on the object that carries the bad value, once per claim (when its condition first shows the
     * message) and, for a template, once for all its claims.
     */
    private void reportOnce(SandboxClaim claim, IdlePolicy.Invalid invalid) {
        SandboxClaimStatus status = claim.getStatus();
        boolean shown = status != null
                && Conditions.find(status.getConditions(), Conditions.IDLE_POLICY_ACCEPTED)
                        .map(c -> invalid.message().equals(c.getMessage()))
                        .orElse(false);
        if (shown) {
            return;
        }
        if (invalid.source() instanceof SandboxTemplate
                && invalid.message()
                        .equals(reportedTemplates.put(
                                invalid.source().getMetadata().getUid(), invalid.message()))) {
            return;
        }
        events.warning(invalid.source(), Conditions.INVALID_IDLE_POLICY, invalid.message());
    }

    private static String namespace(SandboxClaim claim) {
        return claim.getMetadata().getNamespace();
    }

    private static String template(Sandbox sandbox) {
        String template = sandbox == null ? null : ClaimAnnotations.get(sandbox, Labels.SANDBOX_TEMPLATE_REF);
        return template == null ? "unknown" : template;
    }
}
