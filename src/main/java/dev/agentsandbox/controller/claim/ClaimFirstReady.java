package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.DeferredWrites;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * A claim's way to its first Ready: when the controller first observed it (kept in this process until it is written
 * on the claim), and, once, the startup latency metrics ({@link ClaimMetrics}) and the stamp: claim-first-ready-at,
 * controller-first-observed-at and the sandbox-name annotation.
 */
final class ClaimFirstReady {

    private static final Logger LOG = Logger.getLogger(ClaimFirstReady.class);

    private final Clock clock;
    private final ClaimMetrics metrics;
    private final ClaimAnnotations annotations;
    /** Claim uid -> first time this process saw it, until the time is written to the claim. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    private final DeferredWrites stamps = new DeferredWrites("claim-first-ready-stamp", 1, 10_000);
    /** Claims whose first-Ready metrics were recorded by this process. */
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();

    ClaimFirstReady(Clock clock, ClaimMetrics metrics, ClaimAnnotations annotations) {
        this.clock = clock;
        this.metrics = metrics;
        this.annotations = annotations;
    }

    Instant firstObserved(SandboxClaim claim, Instant now) {
        return Optional.ofNullable(instant(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT))
                .orElseGet(() -> firstSeen.computeIfAbsent(claim.getMetadata().getUid(), k -> now));
    }

    /** Records the claim's first Ready, unless the claim or this process already did. */
    void recordOnce(SandboxClaim claim, Sandbox sandbox, Instant firstObserved) {
        if (ClaimAnnotations.get(claim, Labels.CLAIM_FIRST_READY_AT) != null
                || !recorded.add(claim.getMetadata().getUid())) {
            return;
        }
        // The clock is read again: the reconcile's start time would hide the adoption's own writes.
        Instant now = clock.instant();
        Instant requested = instant(claim, Labels.CLIENT_FIRST_REQUESTED_AT);
        metrics.firstReady(
                claim.getMetadata().getNamespace(),
                labelOrUnknown(sandbox.getMetadata().getLabels(), Labels.LAUNCH_TYPE),
                labelOrUnknown(sandbox.getMetadata().getAnnotations(), Labels.SANDBOX_TEMPLATE_REF),
                Duration.between(firstObserved, now),
                requested == null ? null : Duration.between(requested, now));
        Map<String, String> stamp = new HashMap<>();
        stamp.put(Labels.CLAIM_FIRST_READY_AT, now.toString());
        stamp.put(
                Labels.CONTROLLER_FIRST_OBSERVED_AT,
                Optional.ofNullable(ClaimAnnotations.get(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT))
                        .orElse(firstObserved.toString()));
        // A warm adoption is recorded in the claim's status; the annotation upstream's controller writes for it (and
        // that clients may read) follows with the stamp, off the claim's way to Ready.
        stamp.put(Labels.SANDBOX_NAME, sandbox.getMetadata().getName());
        // Not on the claim's way to Ready: the stamp is written after the status patch, not before it or beside it.
        stamps.submit(() -> {
            try {
                annotations.stamp(claim, stamp);
            } catch (KubernetesClientException e) {
                LOG.warnf("claim %s: could not stamp its first Ready: %s", ObjectKey.of(claim), e.getMessage());
            }
        });
        firstSeen.remove(claim.getMetadata().getUid());
    }

    /** What a restart forgets: the first sightings not yet written. */
    void forget() {
        firstSeen.clear();
    }

    private static Instant instant(SandboxClaim claim, String annotation) {
        String value = ClaimAnnotations.get(claim, annotation);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            LOG.debugf("claim %s: unreadable %s: %s", ObjectKey.of(claim), annotation, value);
            return null;
        }
    }

    private static String labelOrUnknown(Map<String, String> values, String key) {
        return values == null ? "unknown" : values.getOrDefault(key, "unknown");
    }
}
