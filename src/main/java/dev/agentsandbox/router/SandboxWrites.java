package dev.agentsandbox.router;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * The router's only writes, both merge patches of a Sandbox carrying the resourceVersion the decision was made on,
 * so the API server refuses them (409) if the Sandbox changed in between: then the Sandbox is read again and the
 * decision taken afresh. That is how two routers never move the activity time back, and how a stale cache never
 * wakes a sandbox twice or wakes one a user suspended meanwhile. Both calls block: never on an event loop.
 */
final class SandboxWrites {

    /** A conflict, a fresh read and a retry, at most this often: a Sandbox is not written that often by others. */
    private static final int ATTEMPTS = 3;

    private final KubernetesClient client;

    SandboxWrites(KubernetesClient client) {
        this.client = client;
    }

    /**
     * What came of a write.
     *
     * @param sandbox the Sandbox as last seen: as the patch left it, or as the fresh read found it; null when it
     *     is gone
     * @param problem why the write failed, for the log; null otherwise
     */
    record Outcome(RouterMetrics.WriteResult result, RoutedSandbox sandbox, String problem) {}

    /** Sets the last-activity annotation to {@code at}, unless the Sandbox already shows {@code at} or later. */
    Outcome publishActivity(RoutedSandbox seen, Instant at) {
        RoutedSandbox current = seen;
        for (int attempt = 1; ; attempt++) {
            if (!activity(current).map(at::isAfter).orElse(true)) {
                return new Outcome(RouterMetrics.WriteResult.SUPERSEDED, current, null);
            }
            JsonObject patch =
                    new JsonObject().put("metadata", guarded(current).put("annotations", activityAnnotation(at)));
            Attempt result = patch(current, patch, attempt);
            if (result.outcome != null) {
                return result.outcome;
            }
            current = result.fresh;
        }
    }

    /**
     * Wakes an idle-suspended Sandbox: one patch of {@code operatingMode: Running} and a fresh last-activity
     * together, so the controller does not find it idle again at once. Nothing is written when a fresh read shows
     * it running already (another router woke it) or suspended by a user; the outcome's Sandbox tells which.
     */
    Outcome wake(RoutedSandbox seen, Instant at) {
        RoutedSandbox current = seen;
        for (int attempt = 1; ; attempt++) {
            boolean byIdle = IdleAnnotations.SUSPENDED_BY_IDLE.equals(current.annotation(IdleAnnotations.SUSPENDED_BY));
            if (!current.suspended() || !byIdle) {
                return new Outcome(RouterMetrics.WriteResult.SUPERSEDED, current, null);
            }
            JsonObject patch = new JsonObject()
                    .put("metadata", guarded(current).put("annotations", activityAnnotation(at)))
                    .put("spec", new JsonObject().put("operatingMode", OperatingMode.RUNNING.value()));
            Attempt result = patch(current, patch, attempt);
            if (result.outcome != null) {
                return result.outcome;
            }
            current = result.fresh;
        }
    }

    /** The Sandbox's last-activity, if it carries a readable one. */
    static Optional<Instant> activity(RoutedSandbox sandbox) {
        return IdleAnnotations.activity(sandbox.annotation(IdleAnnotations.LAST_ACTIVITY));
    }

    /** Either the outcome, or the fresh Sandbox to decide on again after a conflict. */
    private record Attempt(Outcome outcome, RoutedSandbox fresh) {}

    private Attempt patch(RoutedSandbox current, JsonObject patch, int attempt) {
        String namespace = current.getMetadata().getNamespace();
        String name = current.getMetadata().getName();
        try {
            // on the Sandbox as the decision saw it, not by name: by name the client reads the object first, a
            // request more per write (and a round trip more on a wake's path) for a patch that carries its own guard
            RoutedSandbox patched = client.resources(RoutedSandbox.class)
                    .inNamespace(namespace)
                    .resource(current)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.encode());
            return new Attempt(new Outcome(RouterMetrics.WriteResult.WRITTEN, patched, null), null);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return new Attempt(new Outcome(RouterMetrics.WriteResult.SUPERSEDED, null, null), null);
            }
            if (e.getCode() != 409 || attempt == ATTEMPTS) {
                return new Attempt(new Outcome(RouterMetrics.WriteResult.FAILED, current, describe(current, e)), null);
            }
        }
        try {
            RoutedSandbox fresh = client.resources(RoutedSandbox.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            return fresh == null
                    ? new Attempt(new Outcome(RouterMetrics.WriteResult.SUPERSEDED, null, null), null)
                    : new Attempt(null, fresh);
        } catch (KubernetesClientException e) {
            return new Attempt(new Outcome(RouterMetrics.WriteResult.FAILED, current, describe(current, e)), null);
        }
    }

    /** The patch's metadata with the resourceVersion that makes it conditional. */
    private static JsonObject guarded(RoutedSandbox current) {
        return new JsonObject().put("resourceVersion", current.getMetadata().getResourceVersion());
    }

    private static JsonObject activityAnnotation(Instant at) {
        return new JsonObject().put(IdleAnnotations.LAST_ACTIVITY, IdleAnnotations.activity(at));
    }

    private static String describe(RoutedSandbox sandbox, KubernetesClientException e) {
        String why = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
        return "Sandbox " + sandbox.key() + ": " + (e.getCode() > 0 ? e.getCode() + " " : "") + why;
    }
}
