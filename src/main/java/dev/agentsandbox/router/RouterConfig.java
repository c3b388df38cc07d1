package dev.agentsandbox.router;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the router role ({@code sandbox.router.*}). The three settings named by the wire contract keep their
 * upstream environment names ({@code ROUTER_AUTH_TOKEN}, {@code ALLOW_UNAUTHENTICATED_ROUTER},
 * {@code PROXY_TIMEOUT_SECONDS}); the property form ({@code SANDBOX_ROUTER_...}) wins when both are set.
 */
@ConfigMapping(prefix = "sandbox.router")
public interface RouterConfig {

    /** Shared bearer token every caller must present ({@code ROUTER_AUTH_TOKEN}); unset disables this mode. */
    @WithDefault("${ROUTER_AUTH_TOKEN:}")
    Optional<String> authToken();

    /** Run without any authentication ({@code ALLOW_UNAUTHENTICATED_ROUTER}); refused unless set explicitly. */
    @WithDefault("${ALLOW_UNAUTHENTICATED_ROUTER:false}")
    boolean allowUnauthenticated();

    /** Longest wait for a sandbox to send anything, in seconds ({@code PROXY_TIMEOUT_SECONDS}). */
    @WithDefault("${PROXY_TIMEOUT_SECONDS:180}")
    int proxyTimeoutSeconds();

    /** Longest wait for a TCP connection to a sandbox; short, because a pod IP either answers at once or not at all. */
    @WithDefault("PT2S")
    Duration connectTimeout();

    /** Namespaces whose sandboxes may be reached; empty means every namespace (the default). */
    Optional<List<String>> namespaces();

    /** Largest request body forwarded to a sandbox, in bytes (413 above it). */
    @WithDefault("67108864")
    long maxBodyBytes();

    /** Pooled keep-alive connections per sandbox address. */
    @WithDefault("128")
    int maxConnectionsPerSandbox();

    /** How long an unused pooled connection to a sandbox is kept. */
    @WithDefault("PT60S")
    Duration keepAlive();

    /** Seconds a client is told to wait ({@code Retry-After}) when a sandbox is not Ready. */
    @WithDefault("2")
    int retryAfterSeconds();

    /** Per-owner tokens kept in a Kubernetes Secret. */
    OwnerTokensConfig ownerTokens();

    /** The access log: one line per request, written off the event loop. */
    AccessLogConfig accessLog();

    /** Where per-owner token hashes live. */
    interface OwnerTokensConfig {

        /** Authorise callers by per-owner tokens (and bind them to the sandbox's owner label). */
        @WithDefault("false")
        boolean enabled();

        /** Name of the Secret whose data keys are owners and whose values are hex SHA-256 hashes of their tokens. */
        @WithDefault(OwnerTokens.DEFAULT_SECRET_NAME)
        String secretName();

        /** Namespace of that Secret (the router's own namespace). */
        @WithDefault(OwnerTokens.DEFAULT_NAMESPACE)
        String secretNamespace();
    }

    /** Access log switches. */
    interface AccessLogConfig {

        @WithDefault("true")
        boolean enabled();

        /** Lines waiting to be written; when full, lines are dropped and counted rather than slowing requests. */
        @WithDefault("8192")
        int queueSize();
    }
}
