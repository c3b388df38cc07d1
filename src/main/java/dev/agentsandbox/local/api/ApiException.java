package dev.agentsandbox.local.api;

import java.util.List;

/** A request the embedded API server refuses, answered as a Kubernetes {@code Status} with this code. */
public class ApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final List<FieldCause> causes;

    public ApiException(int code, String reason, String message) {
        this(code, reason, message, List.of());
    }

    public ApiException(int code, String reason, String message, List<FieldCause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.causes = causes;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public List<FieldCause> causes() {
        return causes;
    }

    /** One field a request got wrong, as in {@code Status.details.causes}. */
    public record FieldCause(String reason, String message, String field) {
    }
}
