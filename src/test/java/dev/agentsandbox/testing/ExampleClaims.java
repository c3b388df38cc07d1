package dev.agentsandbox.testing;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.claim.ClaimFixtures;
import java.util.Map;

/** Claims on the kata-aks example's warm pool, as local mode applies it in {@code sandbox-agent-demo}. */
public final class ExampleClaims {

    public static final String NAMESPACE = "sandbox-agent-demo";
    public static final String POOL = "kata-aks-warmpool";

    private ExampleClaims() {}

    /** A claim of {@code owner} on the example's pool with its own idle timeout. */
    public static SandboxClaim withIdleTimeout(String name, String owner, String idleTimeout) {
        SandboxClaim claim = ClaimFixtures.claim(NAMESPACE, name, POOL, owner);
        claim.getMetadata().setAnnotations(Map.of(IdleAnnotations.IDLE_TIMEOUT, idleTimeout));
        return claim;
    }
}
