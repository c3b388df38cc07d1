package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a Sandbox when it reaches its shutdownTime. */
public enum ShutdownPolicy {
    /** Delete the Sandbox. */
    @JsonProperty("Delete")
    DELETE,
    /** Keep the Sandbox (its Pod and Service are removed). */
    @JsonProperty("Retain")
    RETAIN;

    /** The value as written in YAML. */
    public String value() {
        try {
            return getDeclaringClass()
                    .getField(name())
                    .getAnnotation(JsonProperty.class)
                    .value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
