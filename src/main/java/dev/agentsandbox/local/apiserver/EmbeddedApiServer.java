package dev.agentsandbox.local.apiserver;

import dev.agentsandbox.local.controlplane.ApiAccess;
import dev.agentsandbox.local.controlplane.ControlPlane;
import dev.agentsandbox.local.gc.GarbageCollector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * An in-process Kubernetes API on loopback: fabric8's CRUD store behind a dispatcher of its own (see
 * {@link ApiDispatcher}) so that kubectl, client-go, the Python client and the controllers see real API semantics,
 * watches included. Served over TLS (HTTP/1.1) with a self-signed certificate; every path but
 * {@code /version} requires the bearer token. Collects garbage by ownerReferences like a cluster does. Used by local
 * mode and by the test suite.
 */
public final class EmbeddedApiServer implements ControlPlane {

    /** The Kubernetes version the server reports. */
    public static final String KUBERNETES_VERSION = "v1.32.0";

    /** How many changes of each resource are kept for watches from a resourceVersion, unless told otherwise. */
    public static final int DEFAULT_WATCH_CACHE_SIZE = WatchCache.DEFAULT_CAPACITY;

    /** The WebSocket subprotocols of Kubernetes' channel protocol, which fabric8 clients offer. */
    private static final List<String> CHANNEL_PROTOCOLS =
            List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");

    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);

    private final Vertx vertx = Vertx.vertx();
    private final ApiDispatcher dispatcher;
    private final ApiFaults faults;
    private final String token;
    private final GarbageCollector collector;
    private final java.util.concurrent.ScheduledExecutorService sweeper;
    private SelfSignedCertificate certificate;
    private HttpServer server;

    private EmbeddedApiServer(String token, ApiFaults faults, int watchCacheSize) {
        this.token = token;
        this.faults = faults;
        this.dispatcher = new ApiDispatcher(token, faults, watchCacheSize);
        this.collector = new GarbageCollector(dispatcher.objectStore());
        this.sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-api-gc");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a server on 127.0.0.1 at a free port with a fresh random token. */
    public static EmbeddedApiServer start() {
        return start(0, newToken(), new ApiFaults());
    }

    public static EmbeddedApiServer start(int port, String token, ApiFaults faults) {
        return start(port, token, faults, DEFAULT_WATCH_CACHE_SIZE);
    }

    /**
     * As {@link #start(int, String, ApiFaults)}, keeping {@code watchCacheSize} changes of each resource for watches
     * from a resourceVersion (kube-apiserver's {@code --default-watch-cache-size}); an older one gets 410 Expired.
     */
    public static EmbeddedApiServer start(int port, String token, ApiFaults faults, int watchCacheSize) {
        EmbeddedApiServer s = new EmbeddedApiServer(token, faults, watchCacheSize);
        try {
            s.listen(port);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.dispatcher.serverAddress("127.0.0.1:" + s.port());
        s.sweeper.scheduleWithFixedDelay(s::collectGarbage, 200, 200, TimeUnit.MILLISECONDS);
        LOG.infof("embedded Kubernetes API serving on https://127.0.0.1:%d", s.port());
        return s;
    }

    private void listen(int port) {
        certificate = SelfSignedCertificate.create("localhost");
        HttpServerOptions options = new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setSsl(true)
                .setKeyCertOptions(certificate.keyCertOptions())
                .setWebSocketSubProtocols(CHANNEL_PROTOCOLS)
                .setHandle100ContinueAutomatically(true);
        try {
            server = vertx.createHttpServer(options)
                    .requestHandler(new ApiFront(vertx, dispatcher))
                    .listen()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the embedded API server did not start on port " + port, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the embedded API server cannot listen on 127.0.0.1:" + port, e);
        }
    }

    public static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * The URL Java clients use. The self-signed certificate names {@code localhost}, so Java clients (which check the
     * host name even when trusting the certificate) use that name; kubectl uses 127.0.0.1 with
     * {@code insecure-skip-tls-verify}.
     */
    public String url() {
        return "https://localhost:" + port();
    }

    /** The URL for kubeconfig files. */
    public String loopbackUrl() {
        return "https://127.0.0.1:" + port();
    }

    public String token() {
        return token;
    }

    public ApiFaults faults() {
        return faults;
    }

    /** This server's URL and token; its self-signed certificate is trusted. */
    @Override
    public ApiAccess access() {
        return new ApiAccess(url(), token, Optional.empty());
    }

    /** Creates or replaces every object of a YAML stream (for example a generated CRD file). */
    public void apply(KubernetesClient client, InputStream yaml) {
        for (HasMetadata object : client.load(yaml).items()) {
            client.resource(object).createOr(existing -> existing.update());
        }
    }

    /** Applies the CRDs the build generates into {@code target/kubernetes} ({@code *-v1.yml}). */
    @Override
    public void applyCrds(KubernetesClient client, Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith("-v1.yml"))
                    .sorted()
                    .toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    apply(client, in);
                }
            }
        }
    }

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public Path writeKubeconfig(Path file, String namespace) throws IOException {
        return new ApiAccess(loopbackUrl(), token, Optional.empty()).writeKubeconfig(file, namespace);
    }

    /** No scheduler: the process kubelet runs every Pod and binds it itself. */
    @Override
    public boolean schedulesPods() {
        return false;
    }

    /** One garbage-collection pass now (the server also runs one every 200 ms); how many objects it changed. */
    int sweepGarbage() {
        return collector.sweep();
    }

    private void collectGarbage() {
        try {
            collector.sweep();
        } catch (RuntimeException e) {
            LOG.warnf(e, "garbage collection pass failed; retrying");
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf(e, "the embedded API server did not stop cleanly");
        }
        if (certificate != null) {
            certificate.delete();
        }
    }
}
