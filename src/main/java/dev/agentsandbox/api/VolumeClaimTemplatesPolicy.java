package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether claims may bring their own volumeClaimTemplates. */
public enum VolumeClaimTemplatesPolicy {
    /** Claims may not bring volumeClaimTemplates. */
    @JsonProperty("Disallowed")
    DISALLOWED,
    /** Claims may add volumeClaimTemplates with new names. */
    @JsonProperty("Allowed")
    ALLOWED,
    /** Claims may add and replace volumeClaimTemplates. */
    @JsonProperty("Overrides")
    OVERRIDES;

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
