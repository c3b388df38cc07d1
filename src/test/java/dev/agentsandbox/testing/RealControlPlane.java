package dev.agentsandbox.testing;

import dev.agentsandbox.local.controlplane.KubeBinaries;
import dev.agentsandbox.local.controlplane.KubeControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real control plane of the test tier (etcd, kube-apiserver, kube-controller-manager, kube-scheduler built by
 * {@code tools/kube/build.sh}), started once per test JVM in {@code target/kube-it/} with the generated CRDs applied,
 * and stopped when the JVM exits (its processes run under a watchdog, so they stop after a kill too). Test classes
 * that need it are skipped, with one message that names the build script, where the binaries are absent.
 */
public final class RealControlPlane implements ExecutionCondition {

    private static KubeControlPlane plane;

    /** Skips a class that needs the real control plane where its binaries are absent. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = KubeBinaries.configured().missing();
        return missing.map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("the real control plane is built"));
    }

    /** The control plane, started on first use. */
    public static synchronized KubeControlPlane get() {
        if (plane == null) {
            KubeControlPlane started = KubeControlPlane.start(
                    KubeBinaries.configured(), Path.of("target", "kube-it").toAbsolutePath(), true);
            try (KubernetesClient client = started.client("default")) {
                started.applyCrds(client, Path.of("target", "kubernetes"));
            } catch (IOException e) {
                started.close();
                throw new UncheckedIOException("cannot apply the generated CRDs from target/kubernetes", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kube-it-stop"));
            plane = started;
        }
        return plane;
    }

    /** Creates the namespace (a real API server refuses objects in a missing one) and waits for its ServiceAccount. */
    public static void namespace(KubernetesClient client, String name) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .createOr(NonDeletingOperation::update);
        client.serviceAccounts()
                .inNamespace(name)
                .withName("default")
                .waitUntilCondition(sa -> sa != null, Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    }
}
