package dev.agentsandbox.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Condition types and reasons of the API, and how a condition list is updated. */
public final class Conditions {

    private Conditions() {}

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    // Types
    public static final String READY = "Ready";
    public static final String SUSPENDED = "Suspended";
    public static final String FINISHED = "Finished";
    public static final String POD_SCHEDULED = "PodScheduled";
    /** On a claim with an idle policy: whether its idle annotations could be read (docs/idle.md). */
    public static final String IDLE_POLICY_ACCEPTED = "IdlePolicyAccepted";

    // Sandbox Ready reasons
    public static final String DEPENDENCIES_READY = "DependenciesReady";
    public static final String DEPENDENCIES_NOT_READY = "DependenciesNotReady";
    public static final String SANDBOX_SUSPENDED = "SandboxSuspended";
    public static final String POD_SUCCEEDED = "PodSucceeded";
    public static final String POD_FAILED = "PodFailed";
    public static final String SANDBOX_EXPIRED = "SandboxExpired";
    public static final String MULTIPLE_PODS = "MultiplePods";
    public static final String RECONCILER_ERROR = "ReconcilerError";

    // Sandbox Suspended reasons
    public static final String POD_TERMINATED = "PodTerminated";
    public static final String POD_TERMINATING = "PodTerminating";
    public static final String POD_NOT_OWNED = "PodNotOwned";
    public static final String NOT_SUSPENDED = "NotSuspended";

    // Claim Ready reasons
    public static final String TEMPLATE_NOT_FOUND = "TemplateNotFound";
    public static final String WARM_POOL_NOT_FOUND = "WarmPoolNotFound";
    public static final String ADOPTION_CONFLICT = "AdoptionConflict";
    public static final String SANDBOX_CREATE_PENDING = "SandboxCreatePending";
    public static final String INVALID_METADATA = "InvalidMetadata";
    public static final String ENV_VARS_INJECTION_REJECTED = "EnvVarsInjectionRejected";
    public static final String VOLUME_CLAIM_TEMPLATES_ERROR = "VolumeClaimTemplatesError";
    public static final String CLAIM_EXPIRED = "ClaimExpired";
    public static final String SANDBOX_MISSING = "SandboxMissing";
    public static final String SANDBOX_NOT_READY = "SandboxNotReady";
    /** The claim's Sandbox was suspended by the idle policy; the next request through the router wakes it. */
    public static final String IDLE_SUSPENDED = "IdleSuspended";

    // Claim IdlePolicyAccepted reasons
    public static final String IDLE_POLICY_VALID = "IdlePolicyValid";
    public static final String INVALID_IDLE_POLICY = "InvalidIdlePolicy";

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return Optional.ofNullable(get(conditions, type));
    }

    /** Whether condition {@code type} is True; allocation-free, as the router asks it on every request. */
    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = get(conditions, type);
        return c != null && TRUE.equals(c.getStatus());
    }

    private static Condition get(List<Condition> conditions, String type) {
        if (conditions != null) {
            for (int i = 0; i < conditions.size(); i++) {
                Condition c = conditions.get(i);
                if (type.equals(c.getType())) {
                    return c;
                }
            }
        }
        return null;
    }

    /**
     * Returns a copy of {@code conditions} with {@code type} set. The transition time moves only when the status
     * changes, as Kubernetes conventions ask.
     */
    public static List<Condition> with(
            List<Condition> conditions,
            String type,
            boolean status,
            String reason,
            String message,
            Long observedGeneration,
            Instant now) {
        List<Condition> result = new ArrayList<>();
        String statusValue = status ? TRUE : FALSE;
        Condition previous = find(conditions, type).orElse(null);
        String transition = previous != null && statusValue.equals(previous.getStatus())
                ? previous.getLastTransitionTime()
                : timestamp(now);
        Condition next = new ConditionBuilder()
                .withType(type)
                .withStatus(statusValue)
                .withReason(reason)
                .withMessage(message == null ? "" : message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transition)
                .build();
        boolean placed = false;
        if (conditions != null) {
            for (Condition c : conditions) {
                if (type.equals(c.getType())) {
                    result.add(next);
                    placed = true;
                } else {
                    result.add(c);
                }
            }
        }
        if (!placed) {
            result.add(next);
        }
        return result;
    }

    /** A copy of {@code conditions} without {@code type}. */
    public static List<Condition> without(List<Condition> conditions, String type) {
        List<Condition> result = new ArrayList<>();
        if (conditions != null) {
            conditions.stream().filter(c -> !Objects.equals(type, c.getType())).forEach(result::add);
        }
        return result;
    }

    /** RFC 3339 with second precision, as the API server writes {@code metav1.Time}. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
