package dev.agentsandbox.router;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The routing headers of the wire contract (docs/api.md section 10.2) and their validation. Every value is checked character by
 * character against a closed grammar before it is used, so nothing a client sends reaches a DNS lookup, a log line
 * or a URL unchecked.
 */
public final class RoutingHeaders {

    public static final String SANDBOX_ID = "X-Sandbox-ID";
    public static final String SANDBOX_NAMESPACE = "X-Sandbox-Namespace";
    public static final String SANDBOX_PORT = "X-Sandbox-Port";
    public static final String SANDBOX_POD_IP = "X-Sandbox-Pod-IP";
    public static final String SANDBOX_TIMEOUT = "X-Sandbox-Timeout";
    /** {@code false}: a request for an idle-suspended sandbox gets its 503 at once instead of waking it. */
    public static final String SANDBOX_WAKE = "X-Sandbox-Wake";
    /**
     * On an answer, {@code true}: the request was held while its idle-suspended sandbox woke, then forwarded. Set by
     * the router only (a sandbox's own header of that name is dropped), so a client can tell that it woke it.
     */
    public static final String SANDBOX_WOKEN = "X-Sandbox-Woken";

    /** Headers that steer the router and are therefore never forwarded to a sandbox. */
    public static final List<String> ALL =
            List.of(SANDBOX_ID, SANDBOX_NAMESPACE, SANDBOX_PORT, SANDBOX_POD_IP, SANDBOX_TIMEOUT, SANDBOX_WAKE);

    public static final String DEFAULT_NAMESPACE = "default";
    public static final int DEFAULT_PORT = 8888;

    private static final int MAX_LABEL_LENGTH = 63;
    private static final int MAX_IP_LENGTH = 45;
    private static final String LABEL_RULE = "must be a DNS-1123 label: at most 63 lower-case letters, digits or '-', "
            + "starting and ending with a letter or digit";

    private final long maxTimeoutMillis;

    /** @param maxTimeoutMillis the proxy timeout; {@code X-Sandbox-Timeout} is capped at it */
    public RoutingHeaders(long maxTimeoutMillis) {
        this.maxTimeoutMillis = maxTimeoutMillis;
    }

    /** Reads the sandbox address from {@code headers}, or throws a 400 {@link RouteRejection} naming the header. */
    public SandboxAddress parse(MultiMap headers) {
        Values values = new Values();
        headers.forEach(values);
        String id = values.single(HeaderNames.SANDBOX_ID, SANDBOX_ID);
        if (id == null || id.isEmpty()) {
            throw bad("X-Sandbox-ID header is required.");
        }
        if (!isDnsLabel(id)) {
            throw bad("Invalid X-Sandbox-ID: " + LABEL_RULE + ".");
        }
        String namespace = values.single(HeaderNames.SANDBOX_NAMESPACE, SANDBOX_NAMESPACE);
        if (namespace == null) {
            namespace = DEFAULT_NAMESPACE;
        } else if (!isDnsLabel(namespace)) {
            throw bad("Invalid X-Sandbox-Namespace: " + LABEL_RULE + ".");
        }
        String portValue = values.single(HeaderNames.SANDBOX_PORT, SANDBOX_PORT);
        int port = portValue == null ? DEFAULT_PORT : port(portValue);
        String podIp = values.single(HeaderNames.SANDBOX_POD_IP, SANDBOX_POD_IP);
        if (podIp != null && !isIpLiteral(podIp)) {
            throw bad("Invalid X-Sandbox-Pod-IP: must be an IPv4 or IPv6 address.");
        }
        String timeoutValue = values.single(HeaderNames.SANDBOX_TIMEOUT, SANDBOX_TIMEOUT);
        long timeout =
                timeoutValue == null ? maxTimeoutMillis : Math.min(maxTimeoutMillis, timeoutMillis(timeoutValue));
        String wakeValue = values.single(HeaderNames.SANDBOX_WAKE, SANDBOX_WAKE);
        return new SandboxAddress(namespace, id, port, podIp, timeout, wakeValue == null || wake(wakeValue));
    }

    /** The routing headers' values, gathered in one pass over a request's headers; each must come at most once. */
    private static final class Values implements BiConsumer<String, String> {
        // indexed by HeaderNames kind: SANDBOX_ID .. SANDBOX_WAKE
        private final String[] first = new String[HeaderNames.SANDBOX_WAKE + 1];
        private final int[] count = new int[HeaderNames.SANDBOX_WAKE + 1];

        @Override
        public void accept(String name, String value) {
            int kind = HeaderNames.kind(name);
            if (kind >= HeaderNames.SANDBOX_ID && kind <= HeaderNames.SANDBOX_WAKE) {
                if (count[kind]++ == 0) {
                    first[kind] = value;
                }
            }
        }

        String single(int kind, String name) {
            if (count[kind] > 1) {
                throw bad(name + " must be sent once.");
            }
            return first[kind];
        }
    }

    static boolean isDnsLabel(String value) {
        int n = value.length();
        if (n == 0 || n > MAX_LABEL_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (c != '-' || i == 0 || i == n - 1)) {
                return false;
            }
        }
        return true;
    }

    private static int port(String value) {
        int n = value.length();
        if (n == 0 || n > 5) {
            throw bad("Invalid port format: X-Sandbox-Port must be an integer from 1 to 65535.");
        }
        int port = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw bad("Invalid port format: X-Sandbox-Port must be an integer from 1 to 65535.");
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) {
            throw bad("Invalid port: X-Sandbox-Port must be from 1 to 65535.");
        }
        return port;
    }

    /** Syntax only (digits, hex, dots, colons): the real check is membership in the sandbox's pod IPs. */
    private static boolean isIpLiteral(String value) {
        int n = value.length();
        if (n < 2 || n > MAX_IP_LENGTH) {
            return false;
        }
        boolean colon = false;
        boolean dot = false;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == ':') {
                colon = true;
            } else if (c == '.') {
                dot = true;
            } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return colon || dot;
    }

    private long timeoutMillis(String value) {
        int n = value.length();
        boolean digits = false;
        int dots = 0;
        for (int i = 0; i < n && n <= 12; i++) {
            char c = value.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c >= '0' && c <= '9') {
                digits = true;
            } else {
                digits = false;
                break;
            }
        }
        if (!digits || dots > 1 || value.startsWith(".") || value.endsWith(".")) {
            throw bad("Invalid X-Sandbox-Timeout: must be a number of seconds greater than 0.");
        }
        double seconds = Double.parseDouble(value);
        long millis = (long) Math.ceil(seconds * 1000);
        if (millis <= 0) {
            throw bad("Invalid X-Sandbox-Timeout: must be a number of seconds greater than 0.");
        }
        return millis;
    }

    private static boolean wake(String value) {
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw bad("Invalid X-Sandbox-Wake: must be true or false.");
    }

    private static RouteRejection bad(String detail) {
        return new RouteRejection(400, detail);
    }
}
