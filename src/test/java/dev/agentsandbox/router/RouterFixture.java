package dev.agentsandbox.router;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
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
    public final KubernetesMockServer apiServer;
    public final KubernetesClient client;
    /** The router's own client (for its watches), as the router role builds it. */
    private final KubernetesClient routerClient;

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final RouterMetrics metrics;
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
        // A loop busy for over a second prints its stack trace: the router must never block one.
        vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(2)
                .setBlockedThreadCheckInterval(500)
                .setMaxEventLoopExecuteTime(1)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
                .setWarningExceptionTime(1)
                .setWarningExceptionTimeUnit(TimeUnit.SECONDS));
        apiServer = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                new HashMap<>(),
                new KubernetesCrudDispatcher(List.of(new CustomResourceDefinitionContext.Builder()
                        .withGroup(Sandbox.GROUP)
                        .withVersion(Sandbox.VERSION)
                        .withKind(Sandbox.KIND)
                        .withPlural("sandboxes")
                        .withScope("Namespaced")
                        .withStatusSubresource(true)
                        .build())),
                false);
        apiServer.init(InetAddress.getByName("127.0.0.1"), 0);
        client = apiServer.createClient();
        routerClient = RouterKubernetes.client(client.getConfiguration());
        RouterConfig config = config(properties);
        metrics = new RouterMetrics(registry, Clock.systemUTC());
        ownerTokens = config.ownerTokens().enabled()
                ? OwnerTokenStore.watch(
                        routerClient,
                        config.ownerTokens().secretNamespace(),
                        config.ownerTokens().secretName())
                : null;
        if (ownerTokens != null) {
            ownerTokens.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        directory = SandboxDirectory.create(routerClient, config.namespaces(), metrics::sandboxRemoved);
        directory.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        proxy = new SandboxProxy(
                vertx,
                config,
                CallerAuthenticator.of(config.authToken(), ownerTokens, config.allowUnauthenticated()),
                new SandboxRoutes(directory, config.retryAfterSeconds()),
                metrics,
                accessLog = new AccessLog(config.accessLog().queueSize(), metrics, accessLogOutput, 20));
        listener = RouterServer.start(vertx, config.listener(), proxy, 2);
        port = listener.port();
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
        Map<String, String> labels = new HashMap<>();
        if (owner != null) {
            labels.put(Labels.OWNER, owner);
        }
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels)
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
        proxy.close();
        accessLog.close();
        directory.close();
        if (ownerTokens != null) {
            ownerTokens.close();
        }
        routerClient.close();
        client.close();
        apiServer.destroy();
        vertx.close()
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }
}
