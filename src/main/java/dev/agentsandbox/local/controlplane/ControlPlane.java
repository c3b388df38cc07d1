package dev.agentsandbox.local.controlplane;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Kubernetes API that local mode and the tests run the platform on: the embedded API server (the default), or a
 * real control plane built from the Kubernetes release ({@link KubeControlPlane}).
 */
public interface ControlPlane extends AutoCloseable {

    /** The name {@code local --control-plane=} takes: {@code embedded} or {@code kube}. */
    String name();

    /** How a client with full rights reaches this API. */
    ApiAccess access();

    /** A client with full rights, whose default namespace is {@code namespace}. */
    default KubernetesClient client(String namespace) {
        return access().client(namespace);
    }

    /** The fabric8 system properties that point every client created afterwards in this JVM at this API. */
    default Map<String, String> clientSystemProperties(String namespace) {
        return access().systemProperties(namespace);
    }

    /** Applies the CRDs the build generates ({@code *-v1.yml} in {@code directory}); returns once they are served. */
    void applyCrds(KubernetesClient client, Path directory) throws IOException;

    /** Writes a kubeconfig (mode 0600) for kubectl and other clients, with full rights. */
    default Path writeKubeconfig(Path file, String namespace) throws IOException {
        return access().writeKubeconfig(file, namespace);
    }

    /**
     * Whether this API has a scheduler, a garbage collector and the other controllers of a cluster, so that a
     * kubelet must register a Node and run only the Pods bound to it.
     */
    boolean schedulesPods();

    @Override
    void close();
}
