package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether a Sandbox's Pod should run. */
public enum OperatingMode {
    /** The Pod runs. */
    @JsonProperty("Running")
    RUNNING,
    /** The Pod is deleted; Service and volumes stay. */
    @JsonProperty("Suspended")
    SUSPENDED;

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
