package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which router bearer token to send for which owner. An owner's own token wins over the shared one, so one run can
 * drive several owners who each hold their own token (as local mode prints {@code ROUTER_TOKEN_ALICE},
 * {@code ROUTER_TOKEN_BOB}), while a single operator token still works for all.
 */
public final class RouterTokens {

    private final Map<String, String> perOwner;
    private final String shared;

    private RouterTokens(Map<String, String> perOwner, String shared) {
        this.perOwner = Map.copyOf(perOwner);
        this.shared = shared == null || shared.isBlank() ? null : shared;
    }

    /** No token at all: requests go without {@code Authorization} (only for a router that allows that). */
    public static RouterTokens none() {
        return new RouterTokens(Map.of(), null);
    }

    /** One token for every owner. */
    public static RouterTokens shared(String token) {
        return new RouterTokens(Map.of(), token);
    }

    /** Tokens by owner name, with an optional shared token (may be null) for owners not in the map. */
    public static RouterTokens of(Map<String, String> perOwner, String shared) {
        return new RouterTokens(perOwner, shared);
    }

    /** The environment variable holding an owner's own router token, e.g. {@code ROUTER_TOKEN_ALICE}. */
    public static String variableOf(Owner owner) {
        return "ROUTER_TOKEN_" + owner.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public Optional<String> forOwner(Owner owner) {
        String own = perOwner.get(owner.name());
        return Optional.ofNullable(own != null && !own.isBlank() ? own : shared);
    }
}
