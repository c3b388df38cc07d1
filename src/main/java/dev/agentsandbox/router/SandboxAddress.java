package dev.agentsandbox.router;

/**
 * Which sandbox a request asks for, as read from its routing headers: only syntax is checked here, never whether
 * the sandbox exists or may be reached.
 *
 * @param namespace the sandbox's namespace
 * @param name the Sandbox's name
 * @param port the port inside the sandbox
 * @param podIpHint the client's {@code X-Sandbox-Pod-IP}, or null; trusted only if it is one of the sandbox's pod IPs
 * @param timeoutMillis how long the sandbox may stay silent before the router answers 504
 */
public record SandboxAddress(String namespace, String name, int port, String podIpHint, long timeoutMillis) {

    /** {@code namespace/name}, as Kubernetes caches key objects. */
    public String key() {
        return namespace + "/" + name;
    }
}
