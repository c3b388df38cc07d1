package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a warm pool treats members built from an older template. */
public enum UpdateStrategyType {
    /** Delete stale members at once; never hand them out. */
    @JsonProperty("Recreate")
    RECREATE,
    /** Keep stale members adoptable; build new members from the current template. */
    @JsonProperty("OnReplenish")
    ON_REPLENISH;

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
