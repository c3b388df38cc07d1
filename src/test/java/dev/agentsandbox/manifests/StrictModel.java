package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads manifests into the Kubernetes model (fabric8 for built-in kinds, {@code dev.agentsandbox.api} for ours)
 * strictly: a field the model does not know fails the read, where the fabric8 model would otherwise keep it in
 * its "additional properties" and write it back unnoticed. A round trip compared as YAML trees proves that no
 * field was lost or renamed.
 */
public final class StrictModel {

    /** The kinds these manifests may contain, keyed by {@code apiVersion/kind}. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            Map.entry("apiextensions.k8s.io/v1/CustomResourceDefinition", CustomResourceDefinition.class),
            Map.entry("admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy", ValidatingAdmissionPolicy.class),
            Map.entry(
                    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
                    ValidatingAdmissionPolicyBinding.class),
            Map.entry("agents.x-k8s.io/v1beta1/Sandbox", Sandbox.class),
            Map.entry("extensions.agents.x-k8s.io/v1beta1/SandboxTemplate", SandboxTemplate.class),
            Map.entry("extensions.agents.x-k8s.io/v1beta1/SandboxWarmPool", SandboxWarmPool.class),
            Map.entry("extensions.agents.x-k8s.io/v1beta1/SandboxClaim", SandboxClaim.class));

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final ObjectMapper STRICT = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                // fabric8 collects unknown fields with @JsonAnySetter; without it they fail the read.
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return Boolean.FALSE;
                }
            });

    private StrictModel() {}

    /** Every YAML document of a file, skipping empty ones. */
    public static List<JsonNode> documents(Path file) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
                var it = YAML.readValues(parser, JsonNode.class);
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
                        docs.add(doc);
                    }
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static Class<? extends HasMetadata> modelOf(JsonNode doc) {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        assertThat(type)
                .as(
                        "a model class for %s (%s)",
                        key, doc.path("metadata").path("name").asText())
                .isNotNull();
        return type;
    }

    /** Reads one document into its model class; unknown fields fail with their path. */
    public static HasMetadata read(JsonNode doc) {
        return read(doc, modelOf(doc));
    }

    public static <T> T read(JsonNode doc, Class<T> type) {
        try {
            return STRICT.treeToValue(doc, type);
        } catch (IOException e) {
            throw new AssertionError(
                    type.getSimpleName() + " "
                            + doc.path("metadata").path("name").asText() + " does not fit the model: " + e.getMessage(),
                    e);
        }
    }

    /** The object of that kind and name among {@code objects}, read from {@code file} (named in the failure). */
    public static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name, String file) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in " + file));
    }

    /** Reads a document into its model and writes it back; the trees must be equal. */
    public static HasMetadata assertRoundTrip(JsonNode doc) {
        HasMetadata model = read(doc);
        JsonNode back = normalised(STRICT.valueToTree(model));
        assertThat(back)
                .as(
                        "%s %s after a round trip through %s",
                        doc.path("kind").asText(),
                        doc.path("metadata").path("name").asText(),
                        model.getClass().getName())
                .isEqualTo(normalised(doc));
        return model;
    }

    /** The same tree with numbers of one type (the model writes 1000 as a long, YAML reads it as an int). */
    static JsonNode normalised(JsonNode node) {
        try {
            JsonNode copy = YAML.readTree(YAML.writeValueAsString(node));
            if (copy instanceof ObjectNode object) {
                return object;
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
