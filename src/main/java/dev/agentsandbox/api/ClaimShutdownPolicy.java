package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens when a claim expires. */
public enum ClaimShutdownPolicy {
    /** Delete the claim (and its Sandbox with it). */
    @JsonProperty("Delete")
    DELETE,
    /** Delete the claim with foreground propagation: its Sandbox goes first. */
    @JsonProperty("DeleteForeground")
    DELETE_FOREGROUND,
    /** Keep the claim; delete only its Sandbox. */
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
