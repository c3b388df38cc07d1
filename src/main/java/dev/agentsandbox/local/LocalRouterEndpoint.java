package dev.agentsandbox.local;

import java.util.Optional;

/**
 * The hook through which the router, when it runs inside local mode, tells local mode what to print: its URL
 * ({@code ROUTER_URL}) and the bearer tokens of the demo owners ({@code ROUTER_TOKEN_ALICE}, {@code ROUTER_TOKEN_BOB}).
 * A CDI bean implementing this is picked up by {@link LocalMain}; without one, those lines are not printed.
 */
public interface LocalRouterEndpoint {

    /** Where the router listens, e.g. {@code http://127.0.0.1:18080}. */
    String url();

    /** The bearer token of a demo owner such as {@code alice}; empty when the router has no owner tokens. */
    Optional<String> ownerToken(String owner);
}
