package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.CreateOrAdopt;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a claim starts its Sandbox cold instead of taking a warm one, and the create itself. The Sandbox is built by
 * {@link ColdSandbox}; the commit to the claim's own name comes first ({@link ClaimCommits}).
 */
final class ColdStart {

    static final String SANDBOX_PROVISIONED = "SandboxProvisioned";

    private final KubernetesClient client;
    private final EventRecorder events;

    ColdStart(KubernetesClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    /** A pool member cannot carry the claim's env or volumeClaimTemplates: only a Sandbox built for it can. */
    static boolean required(SandboxClaim claim) {
        return notEmpty(claim.getSpec().getEnv()) || notEmpty(claim.getSpec().getVolumeClaimTemplates());
    }

    /**
     * How much longer the claim waits for a warm member before it starts cold: empty when it should start cold now,
     * because it waited {@code warmWait} already or no member is on its way.
     */
    static Optional<Duration> warmWaitLeft(
            Instant firstObserved, Instant now, Duration warmWait, boolean membersOnTheirWay) {
        Duration waited = Duration.between(firstObserved, now);
        if (waited.compareTo(warmWait) < 0 && membersOnTheirWay) {
            return Optional.of(warmWait.minus(waited));
        }
        return Optional.empty();
    }

    /** Creates the claim's Sandbox, or returns the one of that name that exists already (whoever it belongs to). */
    Sandbox create(SandboxClaim claim, Sandbox sandbox, String template) {
        CreateOrAdopt.Result<Sandbox> result = CreateOrAdopt.create(client, sandbox, live -> live);
        if (result.created()) {
            events.normal(
                    claim,
                    SANDBOX_PROVISIONED,
                    "claim " + ObjectKey.of(claim) + ": started sandbox "
                            + sandbox.getMetadata().getName() + " cold from template " + template);
        }
        return result.object();
    }

    private static boolean notEmpty(List<?> list) {
        return list != null && !list.isEmpty();
    }
}
