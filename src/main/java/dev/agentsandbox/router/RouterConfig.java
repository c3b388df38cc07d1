package dev.agentsandbox.router;

import dev.agentsandbox.owner.token.OwnerTokens;
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

    /**
     * Track each sandbox's activity and publish it as its {@code agents.x-k8s.io/last-activity} annotation, which the
     * controller's idle policy reads. Off: this router's traffic keeps no sandbox awake.
     */
    @WithDefault("true")
    boolean activityTracking();

    /** How often activity is published: at most one write per sandbox per interval, none for a quiet sandbox. */
    @WithDefault("PT60S")
    Duration activityInterval();

    /**
     * Longest time a request waits for an idle-suspended sandbox to wake before it gets 503; unset: the proxy
     * timeout, and never more than it. {@code X-Sandbox-Timeout} shortens it per request.
     */
    Optional<Duration> wakeTimeout();

    /** The wake wait in force: {@link #wakeTimeout()} capped at the proxy timeout. */
    default Duration maxWakeWait() {
        Duration proxy = Duration.ofSeconds(proxyTimeoutSeconds());
        return wakeTimeout().filter(w -> w.compareTo(proxy) < 0).orElse(proxy);
    }

    /** Per-owner tokens kept in a Kubernetes Secret. */
    OwnerTokensConfig ownerTokens();

    /** The router's own listener (the wire contract's port); Quarkus's serves health and metrics elsewhere. */
    @io.smallrye.config.WithParentName
    ListenerConfig listener();

    /** The access log: one line per request, written off the event loop. */
    AccessLogConfig accessLog();

    /** Where and how the router accepts client connections. */
    interface ListenerConfig {

        /** Interface to listen on: the role defaults give 0.0.0.0 in a pod and 127.0.0.1 elsewhere. */
        @WithDefault("127.0.0.1")
        String host();

        /** The wire contract's port (8080); 0 picks a free one. */
        @WithDefault("8080")
        int port();

        /** A new connection must send a complete request line and headers within this time, or is closed. */
        @WithDefault("PT30S")
        Duration requestHeadTimeout();

        /** After a response, the next request's line and headers must be complete within this time. */
        @WithDefault("PT75S")
        Duration clientKeepAliveTimeout();

        /**
         * While a request is in flight, a connection with no byte either way for this long is closed; longer than
         * the longest sandbox wait ({@code PROXY_TIMEOUT_SECONDS}) so a waiting request is not cut.
         */
        @WithDefault("PT300S")
        Duration idleTimeout();

        /** Largest request head (all header lines), in bytes; 431 above it. */
        @WithDefault("20480")
        int maxHeaderSize();

        /** Longest request line, in bytes; the connection is closed above it. */
        @WithDefault("4096")
        int maxInitialLineLength();

        /** On shutdown, how long requests in flight may take to finish. */
        @WithDefault("PT25S")
        Duration drainTimeout();

        /** Servers, one per event loop; by default one per CPU (local mode: one). */
        java.util.OptionalInt eventLoops();
    }

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
