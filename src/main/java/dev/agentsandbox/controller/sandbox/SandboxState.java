package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;

/**
 * What one reconcile saw and did, as input for the status. Built by the named factories, one per outcome of a pass.
 *
 * @param pod the one owned Pod (possibly terminating), or null
 * @param ownedPods names of all Pods this Sandbox controls (more than one fails closed)
 * @param unownedPod a Pod with the wanted name that this Sandbox does not control, or null
 * @param service the owned headless Service, or null
 * @param serviceRequired whether Ready waits for the Service ({@code service: true})
 * @param suspended whether {@code operatingMode} is Suspended
 * @param expired whether {@code shutdownTime} has passed
 * @param refusal why the spec is refused (a changed volumeClaimTemplates), or null
 */
public record SandboxState(
        Pod pod,
        List<String> ownedPods,
        Pod unownedPod,
        Service service,
        boolean serviceRequired,
        boolean suspended,
        boolean expired,
        String refusal) {

    /** A pass that kept the objects as the spec says: the Pod (none while suspended), and the Service if any. */
    public static SandboxState reconciled(Sandbox sandbox, Pod pod, Pod unownedPod, Service service) {
        List<String> podNames =
                pod == null ? List.of() : List.of(pod.getMetadata().getName());
        return new SandboxState(
                pod, podNames, unownedPod, service, serviceRequired(sandbox), suspended(sandbox), false, null);
    }

    /** More than one Pod is controlled by the Sandbox: nothing is chosen or created. */
    public static SandboxState multiplePods(Sandbox sandbox, List<String> podNames, Service service) {
        return new SandboxState(
                null, podNames, null, service, serviceRequired(sandbox), suspended(sandbox), false, null);
    }

    /** The spec is refused ({@code refusal} says why); the objects are left as they are. */
    public static SandboxState refused(Sandbox sandbox, Pod pod, Service service, String refusal) {
        List<String> podNames =
                pod == null ? List.of() : List.of(pod.getMetadata().getName());
        return new SandboxState(
                pod, podNames, null, service, serviceRequired(sandbox), suspended(sandbox), false, refusal);
    }

    /** The shutdown time has passed and the Pod and Service are deleted (shutdownPolicy Retain). */
    public static SandboxState expired(Sandbox sandbox) {
        return new SandboxState(null, List.of(), null, null, false, suspended(sandbox), true, null);
    }

    public boolean multiplePods() {
        return ownedPods.size() > 1;
    }

    private static boolean serviceRequired(Sandbox sandbox) {
        return Boolean.TRUE.equals(sandbox.getSpec().getService());
    }

    private static boolean suspended(Sandbox sandbox) {
        return sandbox.getSpec().getOperatingMode() == OperatingMode.SUSPENDED;
    }
}
