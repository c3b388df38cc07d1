package dev.agentsandbox.client;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimSpec;
import dev.agentsandbox.api.WarmPoolRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** The SandboxClaim this client asks for: owner and created-by labels, the request time, the warm pool. */
final class ClaimRequest {

    /** The {@code agents.x-k8s.io/created-by} value of every claim this client creates. */
    static final String CREATED_BY = "java-client";

    /** RFC 3339 in UTC with milliseconds, so that latencies below one second stay visible. */
    static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private ClaimRequest() {}

    /** The labels that mark an owner's claims made by this client; the reuse and delete lookups select on them. */
    static Map<String, String> ownerSelector(Owner owner) {
        return Map.of(Labels.OWNER, owner.name(), Labels.CREATED_BY, CREATED_BY);
    }

    /** A claim named {@code name} for {@code owner} on {@code warmPool}, stamped with the request time. */
    static SandboxClaim build(Owner owner, String namespace, String name, String warmPool, Instant requestedAt) {
        SandboxClaim claim = new SandboxClaim();
        ObjectMetaBuilder meta = new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withLabels(ownerSelector(owner))
                .withAnnotations(Map.of(Labels.CLIENT_FIRST_REQUESTED_AT, TIMESTAMP.format(requestedAt)))
                .withName(name);
        claim.setMetadata(meta.build());
        SandboxClaimSpec spec = new SandboxClaimSpec();
        WarmPoolRef pool = new WarmPoolRef();
        pool.setName(warmPool);
        spec.setWarmPoolRef(pool);
        claim.setSpec(spec);
        return claim;
    }

    /** Reads an RFC 3339 annotation; null when absent or unreadable (timestamps from other clients vary). */
    static Instant instant(SandboxClaim claim, String annotation) {
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(annotation);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value, Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
