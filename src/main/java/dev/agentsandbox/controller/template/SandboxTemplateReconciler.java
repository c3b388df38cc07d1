package dev.agentsandbox.controller.template;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.Ownership;
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
        } else if (owned.isPresent() && delete(owned.get(), template)) {
            events.normal(
                    template,
                    "NetworkPolicyDeleted",
                    "Deleted NetworkPolicy " + owned.get().getMetadata().getName()
                            + " because networkPolicyManagement is Unmanaged");
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
        try {
            // edit() sends a JSON Patch computed from this object: it adds one label and touches nothing else.
            client.resource(template).edit(t -> {
                Map<String, String> next = t.getMetadata().getLabels() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(t.getMetadata().getLabels());
                next.put(Labels.SANDBOX_TEMPLATE_REF_HASH, hash);
                t.getMetadata().setLabels(next);
                return t;
            });
        } catch (KubernetesClientException e) {
            throw failure("labelling SandboxTemplate " + template.getMetadata().getName(), template, e);
        }
    }

    private void ensurePolicy(SandboxTemplate template, NetworkPolicy owned) {
        NetworkPolicy desired = TemplateNetworkPolicy.desired(template);
        if (owned != null) {
            realign(template, owned, desired);
            return;
        }
        KubernetesClientException conflict;
        try {
            client.resource(desired).create();
            events.normal(
                    template,
                    "NetworkPolicyCreated",
                    "Created NetworkPolicy " + desired.getMetadata().getName()
                            + (TemplateDefaults.usesDefaultPolicy(template) ? " (default policy)" : ""));
            return;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw failure("creating NetworkPolicy " + desired.getMetadata().getName(), template, e);
            }
            conflict = e;
        }
        NetworkPolicy live = client.network()
                .v1()
                .networkPolicies()
                .inNamespace(template.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName())
                .get();
        if (live == null) {
            // Deleted in between, or a conflict other than "already exists": no event would bring us back for an
            // object outside the cache, so fail and let the backoff retry the create.
            throw failure(
                    "creating NetworkPolicy " + desired.getMetadata().getName()
                            + " met a conflict but no such NetworkPolicy exists; retrying",
                    template,
                    conflict);
        }
        if (Ownership.of(live, template) == Ownership.OWNED) {
            realign(template, live, desired); // our own, not yet in the cache
            return;
        }
        String message = "NetworkPolicy " + live.getMetadata().getName() + " already exists and is controlled by "
                + Ownership.describeController(live) + ", not by SandboxTemplate "
                + template.getMetadata().getName() + "; leaving it unchanged, so the template's sandboxes are not"
                + " covered by a managed policy";
        LOG.warnf(
                "sandboxtemplate %s/%s: %s",
                template.getMetadata().getNamespace(), template.getMetadata().getName(), message);
        events.warning(template, "NetworkPolicyConflict", message);
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
        Map<String, String> labels = copy.getMetadata().getLabels() == null
                ? new LinkedHashMap<>()
                : new LinkedHashMap<>(copy.getMetadata().getLabels());
        labels.putAll(desired.getMetadata().getLabels());
        copy.getMetadata().setLabels(labels);
        copy.setSpec(desired.getSpec());
        try {
            client.resource(copy).update(); // with resourceVersion: a concurrent change means a retry
            events.normal(
                    template,
                    "NetworkPolicyUpdated",
                    "Updated NetworkPolicy " + copy.getMetadata().getName());
        } catch (KubernetesClientException e) {
            throw failure("updating NetworkPolicy " + copy.getMetadata().getName(), template, e);
        }
    }

    private boolean delete(NetworkPolicy policy, SandboxTemplate template) {
        try {
            return !client.resource(policy).delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw failure("deleting NetworkPolicy " + policy.getMetadata().getName(), template, e);
        }
    }

    private static RuntimeException failure(String action, SandboxTemplate template, KubernetesClientException e) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getCode() + " " + e.getStatus().getMessage()
                : e.getMessage();
        return new IllegalStateException(
                "sandboxtemplate " + template.getMetadata().getNamespace() + "/"
                        + template.getMetadata().getName() + ": " + action + " failed: " + reason,
                e);
    }
}
