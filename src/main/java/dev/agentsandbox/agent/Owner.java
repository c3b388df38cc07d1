package dev.agentsandbox.agent;

import java.util.regex.Pattern;

/**
 * Whose agent answers: the {@code X-Owner} header, which must be a valid Kubernetes label value because the platform
 * stores it in the {@code agents.x-k8s.io/owner} label.
 */
public record Owner(String name) {

    private static final int MAX_LENGTH = 63;
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /** The owner of requests that carry no {@code X-Owner} header. */
    public static final Owner ANONYMOUS = new Owner("anonymous");

    /** The HTTP header that names the owner. */
    public static final String HEADER = "X-Owner";

    public Owner {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The owner named by a header value; a missing or empty header means {@link #ANONYMOUS}. */
    public static Owner fromHeader(String value) {
        if (value == null || value.isEmpty()) {
            return ANONYMOUS;
        }
        String problem = problem(value);
        if (problem != null) {
            throw new AgentFailure(400, problem);
        }
        return new Owner(value);
    }

    private static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "owner must not be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "invalid " + HEADER + ": " + name.length() + " characters, at most " + MAX_LENGTH + " allowed";
        }
        if (!LABEL_VALUE.matcher(name).matches()) {
            return "invalid " + HEADER + " \"" + printable(name) + "\": must be a Kubernetes label value "
                    + "(letters, digits, '-', '_', '.', beginning and ending with a letter or digit)";
        }
        return null;
    }

    /** Keeps control characters of a rejected value out of the error message. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
