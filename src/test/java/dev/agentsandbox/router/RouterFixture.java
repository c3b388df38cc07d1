package dev.agentsandbox.router;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A router on loopback without Quarkus: the real {@link SandboxProxy} on a Vert.x server, a CRUD Kubernetes API
 * server holding Sandboxes, and helpers to create Sandboxes and to send raw HTTP.
 */
public final class RouterFixture implements AutoCloseable {

    public final Vertx vertx;
    /** The CRUD mock API server, or null when the router runs on an API server the test gave it. */
    public final KubernetesMockServer apiServer;
    /** The Sandbox patches the mock API server received (see {@link #crudApiServer}). */
    public final List<String> sandboxWrites = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every request on one Sandbox the mock API server received, as {@code <method> <path>}: reads included. */
    public final List<String> sandboxRequests = new java.util.concurrent.CopyOnWriteArrayList<>();

    public final KubernetesClient client;
    /** The router's own client (for its watches and writes), as the router role builds it. */
    private final KubernetesClient routerClient;

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final RouterMetrics metrics;
    public final RouterSandboxes sandboxes;
    public final SandboxDirectory directory;
    public final OwnerTokenStore ownerTokens;
    public final SandboxProxy proxy;
    public final AccessLog accessLog;
    /** What the access log wrote (it writes here instead of standard output). */
    public final java.io.ByteArrayOutputStream accessLogOutput = new java.io.ByteArrayOutputStream();

    /** The router's real listener ({@link RouterServer}), with its timeouts and limits, on a free port. */
    public final RouterServer listener;

    public final int port;

    public RouterFixture(Map<String, String> properties) throws Exception {
        this(properties, null);
    }

    /** A router on {@code api} (the embedded API server, a real one), or on a CRUD mock API server when null. */
    public RouterFixture(Map<String, String> properties, KubernetesClient api) throws Exception {
        this(properties, api, null);
    }

    /**
     * A router on {@code api}, or on a CRUD mock API server of its own when {@code api} is null.
     *
     * @param asRouter the router's own credentials on that API server (its ServiceAccount's rights), or null for
     *     {@code api}'s; the fixture's helpers ({@link #sandbox}, {@link #suspend}, ...) use {@code api}'s
     */
    public RouterFixture(
            Map<String, String> properties, KubernetesClient api, io.fabric8.kubernetes.client.Config asRouter)
            throws Exception {
        // A loop busy for over a second prints its stack trace: the router must never block one.
        vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(2)
                .setBlockedThreadCheckInterval(500)
                .setMaxEventLoopExecuteTime(1)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
                .setWarningExceptionTime(1)
                .setWarningExceptionTimeUnit(TimeUnit.SECONDS));
        if (api == null) {
            apiServer = crudApiServer(sandboxWrites, sandboxRequests);
            client = apiServer.createClient();
        } else {
            apiServer = null;
            client = api;
        }
        routerClient = RouterKubernetes.client(asRouter != null ? asRouter : client.getConfiguration());
        RouterConfig config = config(properties);
        metrics = new RouterMetrics(registry);
        ownerTokens = config.ownerTokens().enabled()
                ? OwnerTokenStore.watch(
                        routerClient,
                        config.ownerTokens().secretNamespace(),
                        config.ownerTokens().secretName())
                : null;
        if (ownerTokens != null) {
            ownerTokens.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        sandboxes = RouterSandboxes.create(routerClient, config, vertx, metrics, Clock.systemUTC());
        directory = sandboxes.directory();
        sandboxes.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        proxy = new SandboxProxy(
                vertx,
                config,
                CallerAuthenticator.of(config.authToken(), ownerTokens, config.allowUnauthenticated()),
                sandboxes,
                metrics,
                accessLog = new AccessLog(config.accessLog().queueSize(), metrics, accessLogOutput, 20));
        listener = RouterServer.start(vertx, config.listener(), proxy, 2);
        port = listener.port();
    }

    /**
     * A CRUD mock API server that knows Sandboxes (with a status subresource) and records in {@code writes} every
     * merge patch of a Sandbox it receives, as {@code PATCH <path> <body>}: the router's writes (the tests' own edits
     * are JSON patches and updates), and in {@code requests} every request on one Sandbox, as {@code <method> <path>}.
     */
    public static KubernetesMockServer crudApiServer(List<String> writes, List<String> requests) throws Exception {
        KubernetesCrudDispatcher dispatcher =
                new KubernetesCrudDispatcher(List.of(new CustomResourceDefinitionContext.Builder()
                        .withGroup(Sandbox.GROUP)
                        .withVersion(Sandbox.VERSION)
                        .withKind(Sandbox.KIND)
                        .withPlural("sandboxes")
                        .withScope("Namespaced")
                        .withStatusSubresource(true)
                        .build())) {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        if (request.getPath().contains("/sandboxes/")) {
                            requests.add(request.getMethod() + " " + request.getPath());
                        }
                        if ("PATCH".equals(request.getMethod())
                                && request.getPath().contains("/sandboxes/")
                                && String.valueOf(request.getHeader("Content-Type"))
                                        .startsWith("application/merge-patch+json")) {
                            writes.add("PATCH " + request.getPath() + " "
                                    + new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
                        }
                        return super.dispatch(request);
                    }
                };
        KubernetesMockServer server =
                new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        return server;
    }

    /** The access log's lines so far. */
    public java.util.List<String> accessLogLines() {
        return accessLogOutput
                .toString(java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .toList();
    }

    public static RouterConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withMapping(RouterConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                // a free port unless the test asks for one
                .withSources(new PropertiesConfigSource(Map.of("sandbox.router.port", "0"), "fixture", 400))
                .build();
        return config.getConfigMapping(RouterConfig.class);
    }

    /** An HTTP/1.1 client for talking to the router, as the tests' clients do. */
    public static java.net.http.HttpClient httpClient() {
        return java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Creates a Sandbox and sets its status as the controller would, then waits until the router's cache has it. */
    public Sandbox sandbox(String namespace, String name, String owner, boolean ready, String... podIPs) {
        Sandbox sandbox = new Sandbox();
        sandbox.setSpec(new SandboxSpec());
        Map<String, String> labels = new HashMap<>();
        if (owner != null) {
            labels.put(Labels.OWNER, owner);
        }
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels)
                .withAnnotations(new HashMap<>())
                .build());
        Sandbox created = client.resources(Sandbox.class)
                .inNamespace(namespace)
                .resource(sandbox)
                .create();
        SandboxStatus status = new SandboxStatus();
        status.setConditions(Conditions.with(
                null,
                Conditions.READY,
                ready,
                ready ? Conditions.DEPENDENCIES_READY : Conditions.DEPENDENCIES_NOT_READY,
                "",
                1L,
                java.time.Instant.now()));
        status.setPodIPs(List.of(podIPs));
        created.setStatus(status);
        client.resources(Sandbox.class).inNamespace(namespace).resource(created).updateStatus();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            RoutedSandbox cached = directory.find(namespace, name);
            return cached != null
                    && cached.getStatus() != null
                    && Conditions.isTrue(cached.getStatus().getConditions(), Conditions.READY) == ready;
        });
        return created;
    }

    /**
     * Suspends a Sandbox as the controller's idle policy does (one write: {@code operatingMode: Suspended} and
     * {@code suspended-by: idle}; {@code byIdle} false: as a user does, without the annotation), then reports it the
     * way the Sandbox controller does once the Pod is gone, and waits until the router's cache shows it.
     */
    public void suspend(String namespace, String name, boolean byIdle) {
        client.resources(Sandbox.class).inNamespace(namespace).withName(name).edit(s -> {
            s.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
            if (byIdle) {
                s.getMetadata().getAnnotations().put(IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE);
            }
            return s;
        });
        Sandbox current = client.resources(Sandbox.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        SandboxStatus status = current.getStatus() == null ? new SandboxStatus() : current.getStatus();
        java.time.Instant now = java.time.Instant.now();
        List<io.fabric8.kubernetes.api.model.Condition> conditions = Conditions.with(
                status.getConditions(), Conditions.READY, false, Conditions.SANDBOX_SUSPENDED, "", 1L, now);
        status.setConditions(
                Conditions.with(conditions, Conditions.SUSPENDED, true, Conditions.POD_TERMINATED, "", 1L, now));
        status.setPodIPs(List.of());
        current.setStatus(status);
        client.resources(Sandbox.class).inNamespace(namespace).resource(current).updateStatus();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            RoutedSandbox cached = directory.find(namespace, name);
            return cached != null
                    && cached.suspended()
                    && cached.getStatus().getPodIPs().isEmpty();
        });
    }

    /**
     * Does what the controller and the kubelet do for a Sandbox told to run again: its Pod Ready at {@code podIP},
     * {@code Suspended} False/NotSuspended, and {@code suspended-by} removed.
     */
    public void resumed(String namespace, String name, String podIP) {
        client.resources(Sandbox.class).inNamespace(namespace).withName(name).edit(s -> {
            s.getMetadata().getAnnotations().remove(IdleAnnotations.SUSPENDED_BY);
            return s;
        });
        Sandbox current = client.resources(Sandbox.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        java.time.Instant now = java.time.Instant.now();
        SandboxStatus status = current.getStatus();
        List<io.fabric8.kubernetes.api.model.Condition> conditions = Conditions.with(
                status.getConditions(), Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, now);
        status.setConditions(
                Conditions.with(conditions, Conditions.SUSPENDED, false, Conditions.NOT_SUSPENDED, "", 1L, now));
        status.setPodIPs(List.of(podIP));
        current.setStatus(status);
        client.resources(Sandbox.class).inNamespace(namespace).resource(current).updateStatus();
    }

    /** Issues a router token for each owner (in the owner-token Secret) and waits until the router knows them all. */
    public Map<String, String> ownerTokens(String... owners) {
        Map<String, String> tokens = new HashMap<>();
        for (String owner : owners) {
            tokens.put(
                    owner,
                    OwnerTokens.issue(client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, owner));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ownerTokens.size() >= owners.length);
        return tokens;
    }

    /** The Sandbox as the API server has it now. */
    public Sandbox current(String namespace, String name) {
        return client.resources(Sandbox.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** One HTTP/1.1 exchange over a plain socket, so that any byte (CR, LF, non-ASCII) reaches the router as sent. */
    public RawResponse raw(String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buffer.write(chunk, 0, n);
                String text = buffer.toString(StandardCharsets.UTF_8);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd > 0) {
                    int length = contentLength(text.substring(0, headEnd));
                    if (length >= 0 && buffer.size() >= headEnd + 4 + length) {
                        break;
                    }
                }
            }
            String text = buffer.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String statusLine = text.substring(0, text.indexOf("\r\n"));
            return new RawResponse(
                    Integer.parseInt(statusLine.split(" ")[1]),
                    text.substring(0, headEnd),
                    text.substring(headEnd + 4));
        }
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return -1;
    }

    public record RawResponse(int status, String head, String body) {}

    /** Starts {@code count} Vert.x HTTP servers on distinct loopback addresses; see {@link Backends}. */
    public Backends backends(String... hosts) throws Exception {
        List<HttpServer> servers = new ArrayList<>();
        for (String host : hosts) {
            servers.add(Backends.echo(vertx, host));
        }
        return new Backends(servers);
    }

    @Override
    public void close() {
        stop(true);
    }

    /**
     * Stops the router: cleanly (the last activity is published, as the router role does on SIGTERM), or as if its
     * process were killed ({@code clean} false: whatever was not published yet is lost). The API server stays up
     * when the test gave it.
     */
    public void stop(boolean clean) {
        proxy.close();
        listener.close();
        if (clean) {
            sandboxes.flush(Duration.ofSeconds(5));
        }
        accessLog.close();
        sandboxes.close();
        if (ownerTokens != null) {
            ownerTokens.close();
        }
        routerClient.close();
        if (apiServer != null) {
            client.close();
            apiServer.destroy();
        }
        vertx.close()
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }
}
