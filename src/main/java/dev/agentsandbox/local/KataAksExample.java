package dev.agentsandbox.local;

import dev.agentsandbox.api.SandboxTemplate;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Applies the kata-aks example to the embedded API: the namespace, then the {@code azure-foundry} Secret the agents
 * read their model settings from, then the template and warm pool. What only AKS has is dropped: the template's
 * {@code runtimeClassName} and Kata {@code nodeSelector} (the log says so).
 */
final class KataAksExample {

    static final String POOL = "kata-aks-warmpool";
    private static final Logger LOG = Logger.getLogger(KataAksExample.class);
    private static final List<String> FILES = List.of("namespace.yaml", "sandbox-template.yaml", "warm-pool.yaml");
    private static final Set<String> KINDS = Set.of("Namespace", "SandboxTemplate", "SandboxWarmPool");

    private KataAksExample() {}

    static void apply(
            KubernetesClient client,
            Optional<String> configuredDir,
            String namespace,
            Map<String, String> modelSettings)
            throws IOException {
        Path dir = Path.of(configuredDir.orElse("deploy/kata-aks"));
        List<HasMetadata> objects = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream in = Files.isRegularFile(dir.resolve(file))
                    ? Files.newInputStream(dir.resolve(file))
                    : KataAksExample.class.getResourceAsStream("/local/kata-aks/" + file)) {
                if (in == null) {
                    throw new IOException("kata-aks example file " + file + " is neither in " + dir.toAbsolutePath()
                            + " nor in the application");
                }
                objects.addAll(client.load(in).items());
            }
        }
        LOG.infof(
                "applying the kata-aks example from %s",
                Files.isDirectory(dir) ? dir.toAbsolutePath() : "the application's copy");
        // Namespace first, then the model Secret, then the template and pool: the warm pool's Pods read the Secret
        // as they start (deploy/aks/deploy.sh keeps the same order).
        objects.sort(Comparator.comparing(o -> !"Namespace".equals(o.getKind())));
        boolean secretWritten = false;
        for (HasMetadata object : objects) {
            if (!KINDS.contains(object.getKind())) {
                continue;
            }
            if (!secretWritten && !"Namespace".equals(object.getKind())) {
                modelSecret(client, namespace, modelSettings);
                secretWritten = true;
            }
            if (object instanceof GenericKubernetesResource template && "SandboxTemplate".equals(object.getKind())) {
                withoutAksScheduling(template);
            }
            if (object instanceof GenericKubernetesResource custom) {
                // Named explicitly rather than found by discovery: fabric8 resolves a generic kind through the
                // server's API list, which can lag the CRDs applied a moment earlier ("no registered handler").
                client.genericKubernetesResources(customResource(custom.getKind()))
                        .inNamespace(custom.getMetadata().getNamespace())
                        .resource(custom)
                        .createOr(NonDeletingOperation::update);
            } else {
                client.resource(object).createOr(NonDeletingOperation::update);
            }
        }
        if (!secretWritten) {
            modelSecret(client, namespace, modelSettings);
        }
    }

    private static ResourceDefinitionContext customResource(String kind) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(SandboxTemplate.GROUP)
                .withVersion(SandboxTemplate.VERSION)
                .withKind(kind)
                .withPlural(kind.toLowerCase(java.util.Locale.ROOT) + "s")
                .withNamespaced(true)
                .build();
    }

    @SuppressWarnings("unchecked")
    private static void withoutAksScheduling(GenericKubernetesResource template) {
        Object spec = template.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> s
                && s.get("podTemplate") instanceof Map<?, ?> pt
                && pt.get("spec") instanceof Map<?, ?> podSpec) {
            Map<String, Object> p = (Map<String, Object>) podSpec;
            Object runtimeClass = p.remove("runtimeClassName");
            Object nodeSelector = p.remove("nodeSelector");
            if (runtimeClass != null || nodeSelector != null) {
                LOG.infof(
                        "template %s: runtimeClassName %s and nodeSelector %s ignored locally (no Kata VMs here; "
                                + "sandboxes run as local processes)",
                        template.getMetadata().getName(), runtimeClass, nodeSelector);
            }
        }
    }

    /** Creates or replaces Secret {@code azure-foundry} with the model settings the agents should use. */
    private static void modelSecret(KubernetesClient client, String namespace, Map<String, String> settings) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata()
                .withName("azure-foundry")
                .withNamespace(namespace)
                .endMetadata()
                .withType("Opaque");
        settings.forEach(
                (k, v) -> secret.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        client.resource(secret.build()).createOr(NonDeletingOperation::update);
    }
}
