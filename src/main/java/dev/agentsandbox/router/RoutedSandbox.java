package dev.agentsandbox.router;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * A Sandbox as the router needs it: metadata, status and of the spec only {@code operatingMode}. The rest of the spec
 * (a whole Pod template) is skipped when the informer reads the object, so the router's cache holds a few hundred
 * bytes per sandbox instead of a Pod spec, and the router process never loads the Pod model's classes and JSON
 * readers. The router writes only the two fields its {@link SandboxWrites} name, by merge patch, never this object.
 */
@Group(Sandbox.GROUP)
@Version(Sandbox.VERSION)
@Kind(Sandbox.KIND)
@Plural("sandboxes")
@JsonIgnoreProperties(ignoreUnknown = true)
// read as a plain bean: the kind-dispatching reader declared on KubernetesResource would call itself again
@JsonDeserialize(using = JsonDeserializer.None.class)
@RegisterForReflection
public final class RoutedSandbox implements HasMetadata, Namespaced {

    // read once: the router asks on every request
    private static final String SUSPENDED = OperatingMode.SUSPENDED.value();

    private String apiVersion = Sandbox.API_VERSION;
    private String kind = Sandbox.KIND;
    private ObjectMeta metadata;
    private Spec spec;
    private SandboxStatus status;

    /** Of a Sandbox's spec, what the router acts on: whether it should run (a Pod template is skipped unread). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public static final class Spec {

        // text, not the OperatingMode enum: a mode this build does not know must not break the router's watch
        private String operatingMode;

        public String getOperatingMode() {
            return operatingMode;
        }

        public void setOperatingMode(String operatingMode) {
            this.operatingMode = operatingMode;
        }
    }

    @Override
    public String getApiVersion() {
        return apiVersion;
    }

    @Override
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    @Override
    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    @Override
    public ObjectMeta getMetadata() {
        return metadata;
    }

    @Override
    public void setMetadata(ObjectMeta metadata) {
        this.metadata = metadata;
    }

    public Spec getSpec() {
        return spec;
    }

    public void setSpec(Spec spec) {
        this.spec = spec;
    }

    /** True when the spec asks for the Pod to be gone ({@code operatingMode: Suspended}). */
    public boolean suspended() {
        return spec != null && SUSPENDED.equals(spec.getOperatingMode());
    }

    /** The value of annotation {@code key}, or null. */
    public String annotation(String key) {
        Map<String, String> annotations = metadata == null ? null : metadata.getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /** {@code namespace/name}, the key of the router's cache. */
    public String key() {
        return metadata.getNamespace() + "/" + metadata.getName();
    }

    public SandboxStatus getStatus() {
        return status;
    }

    public void setStatus(SandboxStatus status) {
        this.status = status;
    }
}
