package dev.agentsandbox.local;

import dev.agentsandbox.app.PreBoot;
import dev.agentsandbox.app.Role;
import dev.agentsandbox.local.api.ApiFaults;
import dev.agentsandbox.local.api.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Before Quarkus boots in the local role: starts the embedded Kubernetes API on 127.0.0.1, applies the four CRDs
 * (before the reconcilers start their informers), writes the kubeconfig and points this JVM's Kubernetes client at
 * the embedded API. Other roles are left alone.
 */
public final class LocalPreBoot implements PreBoot {

    private static final Logger LOG = Logger.getLogger(LocalPreBoot.class);
    static final String DEMO_NAMESPACE = "sandbox-agent-demo";

    @Override
    public void beforeBoot(Role role, String[] args) {
        if (role != Role.LOCAL) {
            return;
        }
        Path dataDir = LocalDataDir.resolve();
        System.setProperty(LocalDataDir.PROPERTY, dataDir.toString());
        int port = Integer.parseInt(System.getProperty("sandbox.local.api-port", "0"));
        EmbeddedApiServer server = EmbeddedApiServer.start(port, EmbeddedApiServer.newToken(), new ApiFaults());
        try (KubernetesClient client = server.client("default")) {
            Path crds = crdDirectory();
            server.applyCrds(client, crds);
            LOG.infof("applied the CRDs from %s", crds);
            Path kubeconfig = Kubeconfig.write(dataDir.resolve("kubeconfig"), server, DEMO_NAMESPACE);
            // quarkus.kubernetes-client.* are fixed at build time; fabric8's system properties configure the
            // client Quarkus creates at runtime
            for (Map.Entry<String, String> p :
                    server.clientSystemProperties(DEMO_NAMESPACE).entrySet()) {
                System.setProperty(p.getKey(), p.getValue());
            }
            LocalRuntime.started(new LocalRuntime(server, kubeconfig, dataDir));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e instanceof IOException io
                    ? new UncheckedIOException("local mode cannot start: " + e.getMessage(), io)
                    : (RuntimeException) e;
        }
    }

    /** The generated CRDs: {@code sandbox.local.crd-dir}, else {@code kubernetes/} next to the packaged app. */
    static Path crdDirectory() {
        String configured = System.getProperty("sandbox.local.crd-dir", System.getenv("SANDBOX_LOCAL_CRD_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Optional<Path> jar =
                ApplicationJar.find(Optional.ofNullable(System.getProperty("sandbox.local.application-jar")));
        return ApplicationJar.generatedManifests(jar)
                .filter(Files::isDirectory)
                .orElseThrow(() -> new IllegalStateException(
                        "local mode needs the CRDs the build generates (target/kubernetes/*-v1.yml next to "
                                + "target/quarkus-app); build with ./mvnw package or set sandbox.local.crd-dir"));
    }
}
