package dev.agentsandbox.router;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxStatus;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Resolves a {@link SandboxAddress} to a {@link SandboxRoute} for a {@link Caller}: the target always comes from the
 * Sandbox's own status, never from a header, and the owner check happens before anything about the sandbox's state
 * is revealed, a suspension included.
 */
public final class SandboxRoutes {

    private final SandboxDirectory directory;
    private final int retryAfterSeconds;
    private final Clock clock;
    private final long resumeWindowMillis;

    /**
     * @param resumeWindowMillis how long after a resume a sandbox that is not Ready yet counts as waking (its
     *     requests wait instead of getting 503): the longest wake wait
     */
    public SandboxRoutes(SandboxDirectory directory, int retryAfterSeconds, Clock clock, long resumeWindowMillis) {
        this.directory = directory;
        this.retryAfterSeconds = retryAfterSeconds;
        this.clock = clock;
        this.resumeWindowMillis = resumeWindowMillis;
    }

    /**
     * The route for an authorised request to a Ready sandbox.
     *
     * @throws RouteRejection when the request is refused (400, 403, 404, 409 for a sandbox a user suspended, 503)
     * @throws SandboxAsleep when the sandbox is idle-suspended or waking: the request may wait for it
     */
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
        boolean ready = status != null && Conditions.isTrue(status.getConditions(), Conditions.READY);
        if (!ready || sandbox.suspended()) {
            switch (SleepState.of(sandbox, clock.millis(), resumeWindowMillis)) {
                case USER_SUSPENDED -> throw new RouteRejection(
                        409,
                        "Sandbox " + address.key() + " was suspended by a user, not for being idle; the router does "
                                + "not wake it. Set its spec.operatingMode to Running to resume it.",
                        0,
                        RouteRejection.SUSPENDED);
                case IDLE_SUSPENDED -> throw new SandboxAsleep(sandbox, SleepState.IDLE_SUSPENDED);
                case WAKING -> throw new SandboxAsleep(sandbox, SleepState.WAKING);
                case AWAKE -> throw new RouteRejection(
                        503, "Sandbox " + address.key() + " is not ready.", retryAfterSeconds);
            }
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
