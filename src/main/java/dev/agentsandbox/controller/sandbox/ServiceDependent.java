package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The Sandbox's headless Service: {@code service: true} creates (or adopts) it and realigns a drifted one,
 * {@code service: false} deletes it, unset keeps an existing one and never creates one.
 */
final class ServiceDependent {

    private final SandboxObjects objects;
    private final Sandbox sandbox;

    ServiceDependent(SandboxObjects objects) {
        this.objects = objects;
        this.sandbox = objects.sandbox();
    }

    /** The Service the Sandbox has after this pass, or null. */
    Service reconcile(Service owned) {
        Boolean wanted = sandbox.getSpec().getService();
        if (Boolean.FALSE.equals(wanted)) {
            deleteUnwanted(owned);
            return null;
        }
        Service desired = SandboxService.desired(sandbox);
        if (owned != null) {
            return Boolean.TRUE.equals(wanted) && SandboxService.drifted(owned, desired)
                    ? objects.update(realigned(Serialization.clone(owned), desired), "realign")
                    : owned;
        }
        if (wanted == null) {
            return null;
        }
        return objects.createOrAdopt(
                desired, "Created headless Service " + desired.getMetadata().getName(), live -> {
                    refuseNonHeadless(live);
                    return realigned(live, desired);
                });
    }

    private void deleteUnwanted(Service owned) {
        if (owned != null && objects.delete(owned, "service: false")) {
            objects.events()
                    .normal(
                            sandbox,
                            "ServiceDeleted",
                            "Deleted Service " + owned.getMetadata().getName() + " because service is false");
        }
    }

    private Service realigned(Service live, Service desired) {
        SandboxObjects.track(live, sandbox);
        live.getSpec().setSelector(desired.getSpec().getSelector());
        live.getSpec().setPorts(desired.getSpec().getPorts());
        return live;
    }

    /** clusterIP is immutable: a Service with one can never become headless, so it is not adopted. */
    private void refuseNonHeadless(Service live) {
        String clusterIP = live.getSpec().getClusterIP();
        if (clusterIP != null && !clusterIP.isEmpty() && !"None".equals(clusterIP)) {
            throw new SandboxConflict("sandbox " + ObjectKey.of(sandbox) + ": Service "
                    + live.getMetadata().getName()
                    + " exists with clusterIP " + clusterIP
                    + "; it cannot become headless (clusterIP is immutable), not adopting it");
        }
    }
}
