package dev.agentsandbox.local;

import dev.agentsandbox.owner.token.OwnerTokens;
import dev.agentsandbox.router.RouterConfig;
import dev.agentsandbox.router.RouterLifecycle;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router as local mode runs it: in this process, on 127.0.0.1, with per-owner tokens. Tokens for the demo
 * owners are issued on first use (only their SHA-256 is stored, in the router's owner Secret) and kept for the
 * life of the process, so the lines printed and the demo use the same ones.
 */
@Singleton
public class LocalRouterAccess implements LocalRouterEndpoint {

    private final Map<String, String> issued = new ConcurrentHashMap<>();

    @Inject
    RouterConfig router;

    @Inject
    KubernetesClient client;

    /** The router's listener as started: with {@code sandbox.router.port=0} only it knows the port. */
    @Inject
    RouterLifecycle lifecycle;

    @Override
    public String url() {
        return "http://" + router.listener().host() + ":" + lifecycle.server().port();
    }

    @Override
    public Optional<String> ownerToken(String owner) {
        RouterConfig.OwnerTokensConfig tokens = router.ownerTokens();
        if (!tokens.enabled()) {
            return Optional.empty();
        }
        return Optional.of(issued.computeIfAbsent(
                owner, o -> OwnerTokens.issue(client, tokens.secretNamespace(), tokens.secretName(), o)));
    }
}
