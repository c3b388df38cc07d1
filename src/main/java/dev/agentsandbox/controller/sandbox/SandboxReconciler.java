package dev.agentsandbox.controller.sandbox;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Keeps one Pod per Sandbox and reports its readiness. (First cut: Pod and Ready only; Service, volumes, suspend,
 * expiry and adoption follow.)
 */
@ControllerConfiguration(name = "sandbox")
public class SandboxReconciler implements Reconciler<Sandbox> {

    @Inject
    KubernetesClient client;

    @Inject
    Clock clock;

    @Override
    public List<EventSource<?, Sandbox>> prepareEventSources(EventSourceContext<Sandbox> context) {
        var pods = InformerEventSourceConfiguration.from(Pod.class, Sandbox.class)
                .withLabelSelector(Labels.SANDBOX_NAME_HASH)
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<Sandbox> reconcile(Sandbox sandbox, Context<Sandbox> context) {
        String podName = SandboxPods.podName(sandbox);
        Optional<Pod> pod = context.getSecondaryResources(Pod.class).stream()
                .filter(p -> podName.equals(p.getMetadata().getName()))
                .findFirst();
        boolean running = sandbox.getSpec().getOperatingMode() != OperatingMode.SUSPENDED;
        if (pod.isEmpty() && running) {
            client.resource(SandboxPods.desired(sandbox)).create();
        }
        SandboxStatus status = observe(sandbox, pod.orElse(null));
        if (sameContent(status, sandbox.getStatus())) {
            return UpdateControl.noUpdate();
        }
        sandbox.setStatus(status);
        return UpdateControl.patchStatus(sandbox);
    }

    private SandboxStatus observe(Sandbox sandbox, Pod pod) {
        SandboxStatus previous = sandbox.getStatus() == null ? new SandboxStatus() : sandbox.getStatus();
        SandboxStatus status = new SandboxStatus();
        status.setSelector(Labels.SANDBOX_NAME_HASH + "=" + SandboxPods.nameHash(sandbox));
        Long generation = sandbox.getMetadata().getGeneration();
        boolean ready = pod != null && SandboxPods.isReady(pod);
        if (pod != null) {
            List<String> ips = new ArrayList<>();
            if (pod.getStatus() != null && pod.getStatus().getPodIPs() != null) {
                pod.getStatus().getPodIPs().stream().map(PodIP::getIp).filter(Objects::nonNull).forEach(ips::add);
            }
            if (ips.isEmpty() && pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
                ips.add(pod.getStatus().getPodIP());
            }
            status.setPodIPs(ips.isEmpty() ? null : ips);
            status.setNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        }
        String message = ready ? "Pod is Ready" : pod == null ? "Pod does not exist yet" : "Pod is not Ready";
        status.setConditions(Conditions.with(previous.getConditions(), Conditions.READY, ready,
                ready ? Conditions.DEPENDENCIES_READY : Conditions.DEPENDENCIES_NOT_READY, message, generation,
                clock.instant()));
        return status;
    }

    private static boolean sameContent(SandboxStatus a, SandboxStatus b) {
        return Objects.equals(Serialization.asJson(a), Serialization.asJson(b));
    }

    static Map<String, String> labels(Sandbox sandbox) {
        return sandbox.getMetadata().getLabels() == null ? Map.of() : sandbox.getMetadata().getLabels();
    }
}
