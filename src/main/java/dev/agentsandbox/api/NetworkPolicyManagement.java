package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who manages the NetworkPolicy of a template's sandboxes. */
public enum NetworkPolicyManagement {
    /** The controller owns one NetworkPolicy per template. */
    @JsonProperty("Managed")
    MANAGED,
    /** The controller manages none and removes one it owns. */
    @JsonProperty("Unmanaged")
    UNMANAGED;

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
