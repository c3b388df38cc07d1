package dev.agentsandbox.router;

/**
 * Which sandbox a request asks for, as read from its routing headers: only syntax is checked here, never whether
 * the sandbox exists or may be reached.
 *
 * @param namespace the sandbox's namespace
 * @param name the Sandbox's name
 * @param port the port inside the sandbox
 * @param podIpHint the client's {@code X-Sandbox-Pod-IP}, or null; trusted only if it is one of the sandbox's pod IPs
 * @param timeoutMillis how long the sandbox may stay silent before the router answers 504; also the longest wait
 *     for an idle-suspended sandbox to wake
 * @param wake false when the client sent {@code X-Sandbox-Wake: false}: an idle-suspended sandbox is not woken
 */
public record SandboxAddress(
        String namespace, String name, int port, String podIpHint, long timeoutMillis, boolean wake) {

    /** An address whose request may wake its sandbox. */
    public SandboxAddress(String namespace, String name, int port, String podIpHint, long timeoutMillis) {
        this(namespace, name, port, podIpHint, timeoutMillis, true);
    }

    /** {@code namespace/name}, as Kubernetes caches key objects. */
    public String key() {
        return namespace + "/" + name;
    }
}
