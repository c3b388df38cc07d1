package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/** Events for transitions of a Sandbox's Ready condition, and the creation-latency metric on its first Ready. */
final class ReadyAnnouncements {

    private static final Logger LOG = Logger.getLogger(ReadyAnnouncements.class);

    private final EventRecorder events;
    private final CreationLatency creationLatency;

    ReadyAnnouncements(EventRecorder events, CreationLatency creationLatency) {
        this.events = events;
        this.creationLatency = creationLatency;
    }

    void announce(Sandbox sandbox, SandboxStatus previous, SandboxStatus next, Instant now) {
        List<Condition> before = previous == null ? null : previous.getConditions();
        Condition wasReady = Conditions.find(before, Conditions.READY).orElse(null);
        Condition ready =
                Conditions.find(next.getConditions(), Conditions.READY).orElseThrow();
        if (wasReady != null
                && Objects.equals(wasReady.getStatus(), ready.getStatus())
                && Objects.equals(wasReady.getReason(), ready.getReason())) {
            return;
        }
        switch (ready.getReason()) {
            case Conditions.DEPENDENCIES_READY -> {
                events.normal(sandbox, "SandboxReady", ready.getMessage());
                if (Conditions.find(before, Conditions.SUSPENDED).isEmpty()) {
                    creationLatency.readyFirstTime(sandbox, now); // a resumed Sandbox is not a new one
                }
            }
            case Conditions.MULTIPLE_PODS, Conditions.RECONCILER_ERROR -> {
                events.warning(sandbox, ready.getReason(), ready.getMessage());
                LOG.warnf("sandbox %s: %s", ObjectKey.of(sandbox), ready.getMessage());
            }
            case Conditions.SANDBOX_SUSPENDED, Conditions.POD_SUCCEEDED, Conditions.POD_FAILED -> events.normal(
                    sandbox, ready.getReason(), ready.getMessage());
            default -> {
                // DependenciesNotReady on the way up, SandboxExpired announced by SandboxExpiration: no extra Event.
            }
        }
    }
}
