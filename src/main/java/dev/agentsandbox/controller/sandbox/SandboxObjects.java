package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.CreateOrAdopt;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The API calls on one Sandbox's own objects (Pod, Service, PersistentVolumeClaims): create or adopt, read, update
 * and delete, each failure naming the Sandbox, the object and the server's reason.
 */
final class SandboxObjects {

    private static final Logger LOG = Logger.getLogger(SandboxObjects.class);

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Sandbox sandbox;

    SandboxObjects(KubernetesClient client, EventRecorder events, Sandbox sandbox) {
        this.client = client;
        this.events = events;
        this.sandbox = sandbox;
    }

    Sandbox sandbox() {
        return sandbox;
    }

    EventRecorder events() {
        return events;
    }

    /**
     * Creates {@code desired} (Event {@code <Kind>Created} with {@code createdMessage}), or takes the live object of
     * that name: ours (a stale cache), adoptable ({@code adoption} realigns it, then it is updated), or refused (an
     * error naming both objects).
     */
    <T extends HasMetadata> T createOrAdopt(T desired, String createdMessage, UnaryOperator<T> adoption) {
        CreateOrAdopt.Result<T> result;
        try {
            result = CreateOrAdopt.create(client, desired, live -> adoptOrRefuse(live, adoption));
        } catch (KubernetesClientException e) {
            SandboxApiException failure = failure("creating", desired, e);
            if (ApiOutcomes.isNamespaceTerminating(e)) {
                throw new NamespaceTerminating(failure.getMessage(), e);
            }
            throw failure;
        }
        if (result.created()) {
            events.normal(sandbox, desired.getKind() + "Created", createdMessage);
        }
        return result.object();
    }

    private <T extends HasMetadata> T adoptOrRefuse(T live, UnaryOperator<T> adoption) {
        String kind = live.getKind();
        String name = live.getMetadata().getName();
        switch (Ownership.of(live, sandbox)) {
            case OWNED -> {
                return live;
            }
            case OTHER -> throw new SandboxConflict("sandbox " + ObjectKey.of(sandbox) + ": " + kind + " " + name
                    + " is controlled by " + Ownership.describeController(live) + "; not touching it");
            default -> {
                if (!Ownership.adoptable(live, SandboxPods.nameHash(sandbox))) {
                    throw new SandboxConflict("sandbox " + ObjectKey.of(sandbox) + ": " + kind + " " + name
                            + " exists without an owner and without the " + Labels.ADOPTABLE + "=true or "
                            + Labels.SANDBOX_NAME_HASH + "=" + SandboxPods.nameHash(sandbox)
                            + " label; not adopting it");
                }
                Ownership.adopt(live, sandbox);
                // The tracking label brings it into the label-scoped cache, so later passes see it as owned.
                track(live, sandbox);
                T adopted = update(adoption.apply(live), "adopt");
                events.normal(sandbox, kind + "Adopted", "Adopted " + kind + " " + name);
                LOG.infof("sandbox %s: adopted %s %s", ObjectKey.of(sandbox), kind, name);
                return adopted;
            }
        }
    }

    /** The live object of that name, or null. */
    <T extends HasMetadata> T get(Class<T> type, String name) {
        try {
            return client.resources(type)
                    .inNamespace(sandbox.getMetadata().getNamespace())
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            throw new SandboxApiException(
                    "sandbox " + ObjectKey.of(sandbox) + ": reading " + type.getSimpleName() + " " + name + " failed: "
                            + ApiOutcomes.reason(e),
                    e);
        }
    }

    /** An update with the object's resourceVersion: a concurrent change gives a conflict, never a lost write. */
    <T extends HasMetadata> T update(T object, String why) {
        try {
            return client.resource(object).update();
        } catch (KubernetesClientException e) {
            throw failure("updating (" + why + ")", object, e);
        }
    }

    /** Deletes {@code object}; false when it was already gone. */
    boolean delete(HasMetadata object, String why) {
        try {
            return ApiOutcomes.unlessGone(() -> client.resource(object).delete())
                    .map(deleted -> !deleted.isEmpty())
                    .orElse(false);
        } catch (KubernetesClientException e) {
            throw failure("deleting (" + why + ")", object, e);
        }
    }

    SandboxApiException failure(String action, HasMetadata object, KubernetesClientException e) {
        return new SandboxApiException(
                "sandbox " + ObjectKey.of(sandbox) + ": " + action + " " + object.getKind() + " "
                        + object.getMetadata().getName() + " failed: " + ApiOutcomes.reason(e),
                e);
    }

    /** Puts the Sandbox's tracking label ({@code sandbox-name-hash}) on {@code object}, keeping its other labels. */
    static void track(HasMetadata object, Sandbox sandbox) {
        Map<String, String> labels = object.getMetadata().getLabels() == null
                ? new LinkedHashMap<>()
                : new LinkedHashMap<>(object.getMetadata().getLabels());
        labels.put(Labels.SANDBOX_NAME_HASH, SandboxPods.nameHash(sandbox));
        object.getMetadata().setLabels(labels);
    }
}
