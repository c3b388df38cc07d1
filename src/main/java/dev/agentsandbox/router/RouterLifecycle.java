package dev.agentsandbox.router;

import dev.agentsandbox.app.SandboxConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Starts the router in the router and local roles: the Sandbox and owner-token caches, the activity publishing, the
 * proxy, and its own listener ({@link RouterServer}) on the wire contract's port. Quarkus's HTTP listener stays on
 * the management port for health and metrics. On shutdown the listener drains requests in flight, relayed
 * WebSockets are closed with 1001, and the last activity is published.
 */
@Singleton
public class RouterLifecycle {

    private static final Logger LOG = Logger.getLogger(RouterLifecycle.class);

    private RouterSandboxes sandboxes;
    private OwnerTokenStore ownerTokens;
    private AccessLog accessLog;
    private SandboxProxy proxy;
    private RouterMetrics metrics;
    private RouterServer server;
    private RouterConfig config;
    private KubernetesClient client;

    void start(
            @Observes StartupEvent event,
            SandboxConfig sandbox,
            RouterConfig config,
            Config kubernetes,
            MeterRegistry registry,
            Vertx vertx,
            Instance<Clock> clocks) {
        if (!sandbox.role().runsRouter()) {
            return;
        }
        this.config = config;
        // the router's own client for its watches, with the shared client's connection settings
        client = RouterKubernetes.client(kubernetes);
        Clock clock = clocks.isResolvable() ? clocks.get() : Clock.systemUTC();
        RouterConfig.OwnerTokensConfig owners = config.ownerTokens();
        ownerTokens =
                owners.enabled() ? OwnerTokenStore.watch(client, owners.secretNamespace(), owners.secretName()) : null;
        CallerAuthenticator authenticator =
                CallerAuthenticator.of(config.authToken(), ownerTokens, config.allowUnauthenticated());
        metrics = new RouterMetrics(registry);
        sandboxes = RouterSandboxes.create(client, config, vertx, metrics, clock);
        accessLog = config.accessLog().enabled()
                ? new AccessLog(
                        config.accessLog().queueSize(),
                        metrics,
                        // the same stream as the console log: standard error in local mode, whose standard output
                        // carries only the lines scripts read
                        new java.io.FileOutputStream(
                                consoleOnStderr() ? java.io.FileDescriptor.err : java.io.FileDescriptor.out),
                        100)
                : null;
        proxy = new SandboxProxy(vertx, config, authenticator, sandboxes, metrics, accessLog);
        // One server per CPU, as nginx runs one worker per core: more loops than cores cost CPU per request
        // (docs/benchmarks.md#router-event-loops).
        int loops = config.listener().eventLoops().orElse(Runtime.getRuntime().availableProcessors());
        try {
            server = RouterServer.start(vertx, config.listener(), proxy, loops);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "router: cannot listen on " + config.listener().host() + ":"
                            + config.listener().port() + ": " + e.getMessage(),
                    e);
        }
        sandboxes.start().whenComplete((v, e) -> {
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
                "router: authentication by %s; proxy timeout %d s; %s",
                authentication(config, authenticator),
                config.proxyTimeoutSeconds(),
                config.activityTracking()
                        ? "activity published every " + config.activityInterval() + ", idle sandboxes woken within "
                                + config.maxWakeWait()
                        : "activity not tracked (idle policies do not see this router's traffic)");
    }

    private static boolean consoleOnStderr() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.log.console.stderr", Boolean.class)
                .orElse(false);
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
        return sandboxes != null && sandboxes.directory().synced() && (ownerTokens == null || ownerTokens.loaded());
    }

    boolean active() {
        return proxy != null;
    }

    /** The router's listener as started (its port is the actual one when 0 was asked for), or null in other roles. */
    public RouterServer server() {
        return server;
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (proxy == null) {
            return;
        }
        if (server != null) {
            server.drain(config.listener().drainTimeout(), metrics);
        }
        proxy.close();
        if (server != null) {
            server.close();
        }
        // the activity of the last requests, so that a restart loses none of it
        sandboxes.flush(Duration.ofSeconds(5));
        sandboxes.close();
        if (ownerTokens != null) {
            ownerTokens.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        client.close();
    }
}
