package dev.agentsandbox.router;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxStatus;
import java.util.List;
import java.util.Map;

/**
 * Resolves a {@link SandboxAddress} to a {@link SandboxRoute} for a {@link Caller}: the target always comes from the
 * Sandbox's own status, never from a header, and the owner check happens before anything about the sandbox's state
 * is revealed.
 */
public final class SandboxRoutes {

    private final SandboxDirectory directory;
    private final int retryAfterSeconds;

    public SandboxRoutes(SandboxDirectory directory, int retryAfterSeconds) {
        this.directory = directory;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public SandboxRoute resolve(SandboxAddress address, Caller caller) {
        if (!directory.serves(address.namespace())) {
            throw new RouteRejection(403, "Namespace " + address.namespace() + " is not served by this router.");
        }
        if (!directory.synced()) {
            throw new RouteRejection(503, "The router is still loading sandboxes; retry shortly.", retryAfterSeconds);
        }
        RoutedSandbox sandbox = directory.find(address.namespace(), address.name());
        if (sandbox == null) {
            throw new RouteRejection(404, "Sandbox " + address.key() + " not found.");
        }
        Map<String, String> labels = sandbox.getMetadata().getLabels();
        String owner = labels == null ? null : labels.get(Labels.OWNER);
        if (caller.boundToOwner() && !caller.owner().equals(owner)) {
            throw new RouteRejection(
                    403, "Sandbox " + address.key() + " does not belong to owner " + caller.owner() + ".");
        }
        SandboxStatus status = sandbox.getStatus();
        if (status == null || !Conditions.isTrue(status.getConditions(), Conditions.READY)) {
            throw new RouteRejection(503, "Sandbox " + address.key() + " is not ready.", retryAfterSeconds);
        }
        List<String> podIPs = status.getPodIPs() == null ? List.of() : status.getPodIPs();
        String hint = address.podIpHint();
        if (hint != null && !podIPs.contains(hint)) {
            throw new RouteRejection(400, "X-Sandbox-Pod-IP is not an address of sandbox " + address.key() + ".");
        }
        String host = hint != null ? hint : !podIPs.isEmpty() ? podIPs.get(0) : status.getServiceFQDN();
        if (host == null || host.isEmpty()) {
            throw new RouteRejection(503, "Sandbox " + address.key() + " has no pod IP yet.", retryAfterSeconds);
        }
        return new SandboxRoute(address.key(), host, address.port(), owner, address.timeoutMillis());
    }
}
