package dev.agentsandbox.client;

import dev.agentsandbox.api.NameHash;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The end user a sandbox belongs to. The name travels as the {@code agents.x-k8s.io/owner} label value, the
 * {@code X-Owner} header and the data key of the router's owner-token Secret, so it must be valid for all three.
 */
public record Owner(String name) {

    /** A label value that is also a valid Secret data key (no underscore-only quirks, at most 63 characters). */
    /** The characters the API server uses for generated names (no vowels, so no words by accident). */
    private static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    public Owner {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("owner \"" + name + "\" is not valid: use 1-63 letters, digits, "
                    + "'-', '_' or '.', starting and ending with a letter or digit");
        }
    }

    /** The prefix of this owner's claim names: DNS-1123 safe and short enough for generated suffixes. */
    public String claimPrefix() {
        String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String trimmed = lower.length() > 40 ? lower.substring(0, 40) : lower;
        return trimmed.replaceAll("^-+|-+$", "");
    }

    /** A fresh name for a one-shot claim: the prefix and five random characters, as {@code generateName} does. */
    public String oneShotClaimName() {
        StringBuilder name = new StringBuilder(claimPrefix()).append('-');
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            name.append(SUFFIX_ALPHABET.charAt(random.nextInt(SUFFIX_ALPHABET.length())));
        }
        return name.toString();
    }

    /**
     * The name of this owner's kept (reusable) claim. Deterministic so that two runs racing to create it meet at
     * one object; the hash keeps owners apart whose prefixes collide (e.g. {@code Alice} and {@code alice}).
     */
    public String keptClaimName() {
        return claimPrefix() + "-" + NameHash.of(name);
    }

    /** The environment variable holding this owner's router token, e.g. {@code ROUTER_TOKEN_ALICE}. */
    public String tokenVariable() {
        return "ROUTER_TOKEN_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    @Override
    public String toString() {
        return name;
    }
}
