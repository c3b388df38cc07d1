package dev.agentsandbox.controller.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;

/**
 * What one reconcile saw and did, as input for the status.
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

    public boolean multiplePods() {
        return ownedPods.size() > 1;
    }
}
