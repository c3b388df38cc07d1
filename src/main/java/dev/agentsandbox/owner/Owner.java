package dev.agentsandbox.owner;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The end user a sandbox belongs to, the same for every role. The name travels as the {@code agents.x-k8s.io/owner}
 * label value, the {@code X-Owner} header and a data key of the router's owner-token Secret; a non-empty Kubernetes
 * label value is valid as all three (docs/api.md, sections 7 and 11.1).
 */
public record Owner(String name) {

    // Before ANONYMOUS, whose construction uses it.
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /** The HTTP header that names the owner of a request to the agent. */
    public static final String HEADER = "X-Owner";

    /** The owner of requests to the agent that carry no {@code X-Owner} header. */
    public static final Owner ANONYMOUS = new Owner("anonymous");

    /** The longest Kubernetes label value. */
    public static final int MAX_LENGTH = 63;

    /** @throws IllegalArgumentException saying why {@code name} cannot be an owner */
    public Owner {
        Optional<String> problem = problem("owner", name);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    /**
     * The owner an {@code X-Owner} header value names: a missing or empty header means {@link #ANONYMOUS}.
     *
     * @throws IllegalArgumentException naming the header and saying what is wrong with its value
     */
    public static Owner fromHeader(String value) {
        if (value == null || value.isEmpty()) {
            return ANONYMOUS;
        }
        Optional<String> problem = problem(HEADER, value);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return new Owner(value);
    }

    /** True when {@code name} can be an owner. */
    public static boolean isValid(String name) {
        return problem("owner", name).isEmpty();
    }

    /** Why {@code name} cannot be an owner, as {@code <subject> "<name>" is not valid: <reason>}; empty when it can. */
    private static Optional<String> problem(String subject, String name) {
        String reason;
        if (name == null || name.isEmpty()) {
            reason = "must not be empty";
        } else if (name.length() > MAX_LENGTH) {
            reason = name.length() + " characters, at most " + MAX_LENGTH + " allowed";
        } else if (!LABEL_VALUE.matcher(name).matches()) {
            reason = "must be a Kubernetes label value (letters, digits, '-', '_' or '.', beginning and ending with a "
                    + "letter or digit)";
        } else {
            return Optional.empty();
        }
        return Optional.of(subject + " \"" + printable(name) + "\" is not valid: " + reason);
    }

    /**
     * The name as an error message may show it: control characters, quotes and backslashes escaped, so that a
     * rejected header cannot forge lines in a log, and cut after {@link #MAX_LENGTH} characters.
     */
    private static String printable(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(MAX_LENGTH).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return name.codePointCount(0, name.length()) > MAX_LENGTH ? out + "..." : out.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
