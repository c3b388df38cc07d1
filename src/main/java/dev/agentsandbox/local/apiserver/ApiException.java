package dev.agentsandbox.local.apiserver;

import java.util.List;

/** A request the embedded API server refuses, answered as a Kubernetes {@code Status} with this code. */
public class ApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final List<FieldCause> causes;
    private String detailsName;
    private String detailsGroup;
    private String detailsKind;

    public ApiException(int code, String reason, String message) {
        this(code, reason, message, List.of());
    }

    public ApiException(int code, String reason, String message, List<FieldCause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.causes = causes;
    }

    /** The 404 for a request to an object that is not stored: {@code pods "web" not found}. */
    static ApiException notFound(ResourcePath rp) {
        return new ApiException(404, "NotFound", rp.describe() + " not found");
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** Names the object the error is about, as {@code Status.details} does (kubectl prints it). */
    public ApiException about(String name, String group, String kind) {
        this.detailsName = name;
        this.detailsGroup = group;
        this.detailsKind = kind;
        return this;
    }

    String detailsName() {
        return detailsName;
    }

    String detailsGroup() {
        return detailsGroup;
    }

    String detailsKind() {
        return detailsKind;
    }

    public List<FieldCause> causes() {
        return causes;
    }

    /** One field a request got wrong, as in {@code Status.details.causes}. */
    public record FieldCause(String reason, String message, String field) {}
}
