package dev.agentsandbox.local;

import dev.agentsandbox.app.PreBoot;
import dev.agentsandbox.app.Role;
import dev.agentsandbox.local.apiserver.ApiFaults;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import dev.agentsandbox.local.controlplane.ControlPlane;
import dev.agentsandbox.local.controlplane.KubeBinaries;
import dev.agentsandbox.local.controlplane.KubeControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Before Quarkus boots in the local role: starts the Kubernetes API on 127.0.0.1 (the embedded API server, or a real
 * control plane with {@code --control-plane=kube}), applies the four CRDs (before the reconcilers start their
 * informers), writes the kubeconfig and points this JVM's Kubernetes client at that API. Other roles are left alone.
 */
public final class LocalPreBoot implements PreBoot {

    private static final Logger LOG = Logger.getLogger(LocalPreBoot.class);
    static final String DEMO_NAMESPACE = "sandbox-agent-demo";
    static final String SYSTEM_NAMESPACE = "agent-sandbox-system";

    @Override
    public void beforeBoot(Role role, String[] args) {
        if (role != Role.LOCAL) {
            return;
        }
        LocalOptions options;
        try {
            options = LocalOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.usageIfAsked().isPresent()) {
            System.out.print(options.usageIfAsked().get());
            System.exit(0);
            return;
        }
        Path dataDir = LocalDataDir.resolve();
        System.setProperty(LocalDataDir.PROPERTY, dataDir.toString());
        ControlPlane plane = start(options, dataDir);
        try (KubernetesClient client = plane.client("default")) {
            Path crds = crdDirectory();
            plane.applyCrds(client, crds);
            LOG.infof("applied the CRDs from %s", crds);
            // where the controller's Lease and the router's owner-token Secret live; a real API server refuses
            // objects in a namespace that does not exist
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(SYSTEM_NAMESPACE)
                            .endMetadata()
                            .build())
                    .createOr(NonDeletingOperation::update);
            Path kubeconfig = plane.writeKubeconfig(dataDir.resolve("kubeconfig"), DEMO_NAMESPACE);
            // quarkus.kubernetes-client.* are fixed at build time; fabric8's system properties configure the
            // client Quarkus creates at runtime
            for (Map.Entry<String, String> p :
                    plane.clientSystemProperties(DEMO_NAMESPACE).entrySet()) {
                System.setProperty(p.getKey(), p.getValue());
            }
            LocalRuntime.started(new LocalRuntime(plane, kubeconfig, dataDir));
        } catch (IOException | RuntimeException e) {
            plane.close();
            throw e instanceof IOException io
                    ? new UncheckedIOException("local mode cannot start: " + e.getMessage(), io)
                    : (RuntimeException) e;
        }
    }

    /**
     * The embedded API server, or a real control plane in {@code <data-dir>/kube} (emptied at each start; etcd
     * without fsync, since nothing there outlives the run).
     */
    private static ControlPlane start(LocalOptions options, Path dataDir) {
        if (options.controlPlane().equals(LocalOptions.KUBE)) {
            KubeBinaries binaries = KubeBinaries.configured();
            binaries.missing().ifPresent(m -> {
                System.err.println("local --control-plane=kube: " + m);
                System.exit(1);
            });
            LOG.infof("starting a Kubernetes %s control plane from %s", KubeBinaries.VERSION, binaries.dir());
            return KubeControlPlane.start(binaries, dataDir.resolve("kube"), true);
        }
        int port = Integer.parseInt(System.getProperty("sandbox.local.api-port", "0"));
        String watchCacheSize = System.getProperty(
                "sandbox.local.watch-cache-size",
                Optional.ofNullable(System.getenv("SANDBOX_LOCAL_WATCH_CACHE_SIZE"))
                        .orElse(Integer.toString(EmbeddedApiServer.DEFAULT_WATCH_CACHE_SIZE)));
        return EmbeddedApiServer.start(
                port, EmbeddedApiServer.newToken(), new ApiFaults(), Integer.parseInt(watchCacheSize.trim()));
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
