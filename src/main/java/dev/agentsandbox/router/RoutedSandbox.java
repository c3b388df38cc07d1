package dev.agentsandbox.router;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
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

/**
 * A Sandbox as the router needs it: metadata and status. The spec (a whole Pod template) is skipped when the
 * informer reads the object, so the router's cache holds a few hundred bytes per sandbox instead of a Pod spec, and
 * the router process never loads the Pod model's classes and JSON readers. Read-only: the router never writes
 * Sandboxes.
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

    private String apiVersion = Sandbox.API_VERSION;
    private String kind = Sandbox.KIND;
    private ObjectMeta metadata;
    private SandboxStatus status;

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

    public SandboxStatus getStatus() {
        return status;
    }

    public void setStatus(SandboxStatus status) {
        this.status = status;
    }
}
