package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether claims may set environment variables on their sandbox. */
public enum EnvVarsInjectionPolicy {
    /** Claims may add variables the template does not set. */
    @JsonProperty("Allowed")
    ALLOWED,
    /** Claims may add variables and override the template's. */
    @JsonProperty("Overrides")
    OVERRIDES,
    /** Claims may not set variables. */
    @JsonProperty("Disallowed")
    DISALLOWED;

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
