package dev.agentsandbox.local.apiserver;

import dev.agentsandbox.local.controlplane.ApiAccess;
import dev.agentsandbox.local.controlplane.ControlPlane;
import dev.agentsandbox.local.gc.GarbageCollector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * An in-process Kubernetes API on loopback: fabric8's CRUD mock server extended (see {@link ApiDispatcher}) so that
 * kubectl and the controllers see real API semantics. Served over TLS with a self-signed certificate; every path but
 * {@code /version} requires the bearer token. Collects garbage by ownerReferences like a cluster does. Used by local
 * mode and by the test suite.
 */
public final class EmbeddedApiServer implements ControlPlane {

    /** The Kubernetes version the server reports. */
    public static final String KUBERNETES_VERSION = "v1.32.0";

    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);
    // MockWebServer logs every request at INFO through java.util.logging; held here so the level sticks
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final ApiDispatcher dispatcher;
    private final ApiFaults faults;
    private final String token;
    private final Thread drain;
    private final GarbageCollector collector;
    private final java.util.concurrent.ScheduledExecutorService sweeper;
    private volatile boolean closed;

    private EmbeddedApiServer(String token, ApiFaults faults) {
        this.token = token;
        this.faults = faults;
        this.dispatcher = new ApiDispatcher(token, faults);
        this.server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), dispatcher, true);
        this.drain = new Thread(this::drainRecordedRequests, "embedded-api-drain");
        this.drain.setDaemon(true);
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
        EmbeddedApiServer s = new EmbeddedApiServer(token, faults);
        s.server.start(InetAddress.getLoopbackAddress(), port);
        s.dispatcher.serverAddress("127.0.0.1:" + s.server.getPort());
        s.drain.start();
        s.sweeper.scheduleWithFixedDelay(s::collectGarbage, 200, 200, TimeUnit.MILLISECONDS);
        LOG.infof("embedded Kubernetes API serving on https://127.0.0.1:%d", s.server.getPort());
        return s;
    }

    public static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public int port() {
        return server.getPort();
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

    /** The MockWebServer records every request in an unbounded queue; this thread throws them away. */
    private void drainRecordedRequests() {
        while (!closed) {
            try {
                server.takeRequest(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        drain.interrupt();
        server.shutdown();
    }
}
