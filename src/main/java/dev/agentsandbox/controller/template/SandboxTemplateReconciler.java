package dev.agentsandbox.controller.template;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.CreateOrAdopt;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Labels each SandboxTemplate with its {@code sandbox-template-ref-hash} and, in Managed mode, keeps exactly one
 * NetworkPolicy {@code <template>-network-policy} owned by it. A same-named policy that the template does not own is
 * never changed or deleted: it is reported (Warning Event, log line with both names) instead.
 */
// Not generation-aware: a removed ref-hash label on the template is put back.
@ControllerConfiguration(name = "sandboxtemplate", generationAwareEventProcessing = false)
@GradualRetry(maxAttempts = -1, initialInterval = 1000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class SandboxTemplateReconciler implements Reconciler<SandboxTemplate> {

    private static final Logger LOG = Logger.getLogger(SandboxTemplateReconciler.class);

    @Inject
    KubernetesClient client;

    @Inject
    EventRecorder events;

    @Override
    public List<EventSource<?, SandboxTemplate>> prepareEventSources(EventSourceContext<SandboxTemplate> context) {
        var policies = InformerEventSourceConfiguration.from(NetworkPolicy.class, SandboxTemplate.class)
                .withLabelSelector(Labels.SANDBOX_TEMPLATE_REF_HASH)
                .build();
        return List.of(new InformerEventSource<>(policies, context));
    }

    @Override
    public UpdateControl<SandboxTemplate> reconcile(SandboxTemplate template, Context<SandboxTemplate> context) {
        if (template.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate(); // its policy goes with it (garbage collector)
        }
        labelTemplate(template);
        Optional<NetworkPolicy> owned = context.getSecondaryResources(NetworkPolicy.class).stream()
                .filter(p -> TemplateNetworkPolicy.name(template)
                        .equals(p.getMetadata().getName()))
                .filter(p -> Ownership.of(p, template) == Ownership.OWNED)
                .findFirst();
        boolean managed = template.getSpec() == null
                || template.getSpec().getNetworkPolicyManagement() != NetworkPolicyManagement.UNMANAGED;
        if (managed) {
            ensurePolicy(template, owned.orElse(null));
        } else {
            owned.ifPresent(policy -> deleteUnmanagedPolicy(template, policy));
        }
        return UpdateControl.noUpdate();
    }

    /** The template carries its own ref hash, so what selects its sandboxes can be read off the template. */
    private void labelTemplate(SandboxTemplate template) {
        String hash = TemplateNetworkPolicy.refHash(template);
        Map<String, String> labels = template.getMetadata().getLabels();
        if (labels != null && hash.equals(labels.get(Labels.SANDBOX_TEMPLATE_REF_HASH))) {
            return;
        }
        // edit() sends a JSON Patch computed from this object: it adds one label and touches nothing else.
        call("labelling SandboxTemplate " + template.getMetadata().getName(), template, () -> client.resource(template)
                .edit(t -> {
                    addLabels(t, Map.of(Labels.SANDBOX_TEMPLATE_REF_HASH, hash));
                    return t;
                }));
    }

    private void ensurePolicy(SandboxTemplate template, NetworkPolicy owned) {
        NetworkPolicy desired = TemplateNetworkPolicy.desired(template);
        if (owned != null) {
            realign(template, owned, desired);
            return;
        }
        CreateOrAdopt.Result<NetworkPolicy> result = call(
                "creating NetworkPolicy " + desired.getMetadata().getName(),
                template,
                () -> CreateOrAdopt.create(client, desired, live -> takeOrReport(template, live, desired)));
        if (result.created()) {
            events.normal(
                    template,
                    "NetworkPolicyCreated",
                    "Created NetworkPolicy " + desired.getMetadata().getName()
                            + (TemplateDefaults.usesDefaultPolicy(template) ? " (default policy)" : ""));
        }
    }

    /** A policy of the wanted name exists: ours (not yet in the cache) is realigned, another's is reported. */
    private NetworkPolicy takeOrReport(SandboxTemplate template, NetworkPolicy live, NetworkPolicy desired) {
        if (Ownership.of(live, template) == Ownership.OWNED) {
            realign(template, live, desired);
            return live;
        }
        String message = "NetworkPolicy " + live.getMetadata().getName() + " already exists and is controlled by "
                + Ownership.describeController(live) + ", not by SandboxTemplate "
                + template.getMetadata().getName() + "; leaving it unchanged, so the template's sandboxes are not"
                + " covered by a managed policy";
        LOG.warnf("sandboxtemplate %s: %s", ref(template), message);
        events.warning(template, "NetworkPolicyConflict", message);
        return null;
    }

    private void realign(SandboxTemplate template, NetworkPolicy live, NetworkPolicy desired) {
        boolean sameSpec =
                Objects.equals(Serialization.asJson(live.getSpec()), Serialization.asJson(desired.getSpec()));
        boolean sameLabels = live.getMetadata().getLabels() != null
                && Objects.equals(
                        live.getMetadata().getLabels().get(Labels.SANDBOX_TEMPLATE_REF_HASH),
                        desired.getMetadata().getLabels().get(Labels.SANDBOX_TEMPLATE_REF_HASH));
        if (sameSpec && sameLabels) {
            return;
        }
        NetworkPolicy copy = Serialization.clone(live);
        addLabels(copy, desired.getMetadata().getLabels());
        copy.setSpec(desired.getSpec());
        // With resourceVersion: a concurrent change means a retry.
        call("updating NetworkPolicy " + copy.getMetadata().getName(), template, () -> client.resource(copy)
                .update());
        events.normal(
                template,
                "NetworkPolicyUpdated",
                "Updated NetworkPolicy " + copy.getMetadata().getName());
    }

    private void deleteUnmanagedPolicy(SandboxTemplate template, NetworkPolicy policy) {
        String name = policy.getMetadata().getName();
        boolean deleted = call("deleting NetworkPolicy " + name, template, () -> ApiOutcomes.unlessGone(
                        () -> client.resource(policy).delete())
                .map(gone -> !gone.isEmpty())
                .orElse(false));
        if (deleted) {
            events.normal(
                    template,
                    "NetworkPolicyDeleted",
                    "Deleted NetworkPolicy " + name + " because networkPolicyManagement is Unmanaged");
        }
    }

    /** Adds {@code added} to the object's labels, keeping the others. */
    private static void addLabels(HasMetadata object, Map<String, String> added) {
        Map<String, String> labels = object.getMetadata().getLabels() == null
                ? new LinkedHashMap<>()
                : new LinkedHashMap<>(object.getMetadata().getLabels());
        labels.putAll(added);
        object.getMetadata().setLabels(labels);
    }

    /** Runs an API call; a refusal becomes an error naming the template, the action and the server's reason. */
    private static <T> T call(String action, SandboxTemplate template, Supplier<T> apiCall) {
        try {
            return apiCall.get();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException(
                    "sandboxtemplate " + ref(template) + ": " + action + " failed: " + ApiOutcomes.reason(e), e);
        }
    }

    private static String ref(SandboxTemplate template) {
        return template.getMetadata().getNamespace() + "/"
                + template.getMetadata().getName();
    }
}
