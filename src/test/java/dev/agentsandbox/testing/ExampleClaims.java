package dev.agentsandbox.testing;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimSpec;
import dev.agentsandbox.api.WarmPoolRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** Claims on the kata-aks example's warm pool, as local mode applies it in {@code sandbox-agent-demo}. */
public final class ExampleClaims {

    public static final String NAMESPACE = "sandbox-agent-demo";
    public static final String POOL = "kata-aks-warmpool";

    private ExampleClaims() {}

    /** A claim of {@code owner} on the example's pool with its own idle timeout. */
    public static SandboxClaim withIdleTimeout(String name, String owner, String idleTimeout) {
        SandboxClaim claim = new SandboxClaim();
        claim.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NAMESPACE)
                .withLabels(Map.of(Labels.OWNER, owner))
                .withAnnotations(Map.of(IdleAnnotations.IDLE_TIMEOUT, idleTimeout))
                .build());
        SandboxClaimSpec spec = new SandboxClaimSpec();
        WarmPoolRef pool = new WarmPoolRef();
        pool.setName(POOL);
        spec.setWarmPoolRef(pool);
        claim.setSpec(spec);
        return claim;
    }
}
