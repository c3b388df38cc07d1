package dev.agentsandbox.client;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimSpec;
import dev.agentsandbox.api.WarmPoolRef;
import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The SandboxClaim this client asks for: its name, owner and created-by labels, the request time, the warm pool. */
final class ClaimRequest {

    /** The {@code agents.x-k8s.io/created-by} value of every claim this client creates. */
    static final String CREATED_BY = "java-client";

    /** RFC 3339 in UTC with milliseconds, so that latencies below one second stay visible. */
    static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    /** The characters the API server uses for generated names (no vowels, so no words by accident). */
    private static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private ClaimRequest() {}

    /** The prefix of an owner's claim names: DNS-1123 safe and short enough for generated suffixes. */
    static String namePrefix(Owner owner) {
        String lower = owner.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String trimmed = lower.length() > 40 ? lower.substring(0, 40) : lower;
        return trimmed.replaceAll("^-+|-+$", "");
    }

    /** A fresh name for a one-shot claim: the prefix and five random characters, as {@code generateName} does. */
    static String oneShotName(Owner owner) {
        StringBuilder name = new StringBuilder(namePrefix(owner)).append('-');
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            name.append(SUFFIX_ALPHABET.charAt(random.nextInt(SUFFIX_ALPHABET.length())));
        }
        return name.toString();
    }

    /**
     * The name of the owner's kept (reusable) claim. Deterministic so that two runs racing to create it meet at one
     * object; the hash keeps owners apart whose prefixes collide (e.g. {@code Alice} and {@code alice}).
     */
    static String keptName(Owner owner) {
        return namePrefix(owner) + "-" + NameHash.of(owner.name());
    }

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
