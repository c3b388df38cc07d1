package dev.agentsandbox.router;

/**
 * Where one request goes: a resolved, authorised sandbox endpoint.
 *
 * @param sandbox {@code namespace/name} of the Sandbox
 * @param host the pod IP (or the Service's DNS name when the Sandbox reports no pod IP)
 * @param port the port inside the sandbox
 * @param owner the Sandbox's {@code agents.x-k8s.io/owner} label, or null when it has none
 * @param timeoutMillis how long the sandbox may stay silent
 */
public record SandboxRoute(String sandbox, String host, int port, String owner, long timeoutMillis) {}
