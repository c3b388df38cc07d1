package dev.agentsandbox.router;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;

/**
 * The router's ServiceAccount on a real API server, as the generated manifests make it: its RBAC and the admission
 * policy applied from {@code target/kubernetes/kubernetes.yml}, and the credentials to act as it (impersonation, as
 * {@code kubectl --as} does).
 */
final class RouterAccess {

    static final String SYSTEM = "agent-sandbox-system";
    /** What the router's ServiceAccount is given in the manifests, besides its Deployment and Services. */
    private static final Set<String> ACCESS = Set.of(
            "Namespace/agent-sandbox-system",
            "ServiceAccount/sandbox-router",
            "ClusterRole/sandbox-router",
            "ClusterRoleBinding/sandbox-router",
            "Role/sandbox-router-owner-tokens",
            "RoleBinding/sandbox-router-owner-tokens",
            "ValidatingAdmissionPolicy/sandbox-router-writes",
            "ValidatingAdmissionPolicyBinding/sandbox-router-writes");

    private RouterAccess() {}

    /** Applies the router's RBAC and admission policy from the generated manifests. */
    static void apply(KubernetesClient admin) throws IOException {
        Namespace system = admin.namespaces().withName(SYSTEM).get();
        if (system != null && system.getMetadata().getDeletionTimestamp() != null) {
            // another test class of this JVM removed the platform: its namespace must be gone before it comes back
            Awaitility.await()
                    .atMost(Duration.ofSeconds(120))
                    .until(() -> admin.namespaces().withName(SYSTEM).get() == null);
        }
        List<HasMetadata> objects;
        try (InputStream yaml = Files.newInputStream(Path.of("target", "kubernetes", "kubernetes.yml"))) {
            objects = admin.load(yaml).items();
        }
        for (HasMetadata object : objects) {
            if (ACCESS.contains(object.getKind() + "/" + object.getMetadata().getName())) {
                admin.resource(object).forceConflicts().serverSideApply();
            }
        }
    }

    /**
     * The idle-sleep overlay's Role and RoleBinding (deploy/kata-aks/idle-sleep/router-wake.yaml) in {@code namespace}
     * instead of the example's, for the router ServiceAccount {@code sandbox-router} of that namespace.
     */
    static void applyExampleWakeRole(KubernetesClient admin, String namespace) throws IOException {
        List<HasMetadata> objects;
        try (InputStream yaml = Files.newInputStream(Path.of("deploy", "kata-aks", "idle-sleep", "router-wake.yaml"))) {
            objects = admin.load(yaml).items();
        }
        for (HasMetadata object : objects) {
            object.getMetadata().setNamespace(namespace);
            if (object instanceof RoleBinding binding) {
                binding.getSubjects().forEach(subject -> subject.setNamespace(namespace));
            }
            admin.resource(object).forceConflicts().serverSideApply();
        }
    }

    /** {@code admin}'s connection, acting as the router's ServiceAccount. */
    static Config asRouter(KubernetesClient admin) {
        return asRouter(admin, SYSTEM);
    }

    /** {@code admin}'s connection, acting as the ServiceAccount {@code sandbox-router} of {@code namespace}. */
    static Config asRouter(KubernetesClient admin, String namespace) {
        return new ConfigBuilder(admin.getConfiguration())
                .withImpersonateUsername("system:serviceaccount:" + namespace + ":sandbox-router")
                .withImpersonateGroups(
                        "system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .build();
    }
}
