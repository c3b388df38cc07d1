package dev.agentsandbox.router;

import dev.agentsandbox.app.SandboxConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Makes the main HTTP server the sandbox router in the router and local roles: one catch-all route ahead of
 * Quarkus's own, which still answers {@code /q/*} (health, metrics) for requests that name no sandbox.
 * In-flight HTTP requests are drained on shutdown by the HTTP server ({@code quarkus.shutdown.timeout}, set for
 * these roles by the role defaults); relayed WebSockets are then closed with 1001.
 */
@Singleton
public class RouterLifecycle {

    private static final Logger LOG = Logger.getLogger(RouterLifecycle.class);

    /**
     * Before Quarkus's upload limit (-2) and compression (0): the router enforces its own body limit with a JSON
     * error and must never re-encode a sandbox's reply.
     */
    static final int ROUTE_ORDER = -3;

    private SandboxDirectory directory;
    private OwnerTokenStore ownerTokens;
    private AccessLog accessLog;
    private SandboxProxy proxy;

    void routes(
            @Observes Router router,
            SandboxConfig sandbox,
            RouterConfig config,
            KubernetesClient client,
            MeterRegistry registry,
            Vertx vertx,
            Instance<Clock> clocks) {
        if (!sandbox.role().runsRouter()) {
            return;
        }
        Clock clock = clocks.isResolvable() ? clocks.get() : Clock.systemUTC();
        RouterConfig.OwnerTokensConfig owners = config.ownerTokens();
        ownerTokens =
                owners.enabled() ? OwnerTokenStore.watch(client, owners.secretNamespace(), owners.secretName()) : null;
        CallerAuthenticator authenticator =
                CallerAuthenticator.of(config.authToken(), ownerTokens, config.allowUnauthenticated());
        RouterMetrics metrics = new RouterMetrics(registry, clock);
        directory = SandboxDirectory.create(client, config.namespaces(), metrics::sandboxRemoved);
        accessLog =
                config.accessLog().enabled() ? new AccessLog(config.accessLog().queueSize(), metrics) : null;
        proxy = new SandboxProxy(
                vertx,
                config,
                authenticator,
                new SandboxRoutes(directory, config.retryAfterSeconds()),
                metrics,
                accessLog);
        router.route().order(ROUTE_ORDER).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            if (request.path().startsWith("/q/") && request.getHeader(RoutingHeaders.SANDBOX_ID) == null) {
                ctx.next();
                return;
            }
            proxy.handle(request);
        });
        directory.start().whenComplete((v, e) -> {
            if (e != null) {
                LOG.errorf(e, "router: cannot watch Sandboxes; every request will be answered 503 until it can");
            } else {
                LOG.infof(
                        "router: Sandbox cache synced (%s)",
                        config.namespaces().map(n -> "namespaces " + n).orElse("all namespaces"));
            }
        });
        if (ownerTokens != null) {
            ownerTokens.start().whenComplete((v, e) -> {
                if (e != null) {
                    LOG.errorf(
                            e,
                            "router: cannot watch Secret %s/%s; owner tokens are not accepted until it can",
                            owners.secretNamespace(),
                            owners.secretName());
                }
            });
        }
        LOG.infof(
                "router: authentication by %s; proxy timeout %d s",
                authentication(config, authenticator), config.proxyTimeoutSeconds());
    }

    private static String authentication(RouterConfig config, CallerAuthenticator authenticator) {
        if (authenticator.open()) {
            return "nothing (ALLOW_UNAUTHENTICATED_ROUTER=true: anyone who can reach this port reaches every sandbox)";
        }
        String shared = config.authToken().filter(t -> !t.isBlank()).isPresent() ? "shared token" : null;
        String owner = config.ownerTokens().enabled()
                ? "owner tokens from Secret " + config.ownerTokens().secretNamespace() + "/"
                        + config.ownerTokens().secretName()
                : null;
        return shared != null && owner != null ? shared + " and " + owner : shared != null ? shared : owner;
    }

    /** True when this process routes and its caches hold their first lists. */
    boolean ready() {
        return directory != null && directory.synced() && (ownerTokens == null || ownerTokens.loaded());
    }

    boolean active() {
        return proxy != null;
    }

    void onStop(@Observes ShutdownEvent event) {
        if (proxy == null) {
            return;
        }
        proxy.close();
        directory.close();
        if (ownerTokens != null) {
            ownerTokens.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }
}
