package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How the pool replaces members when its template changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WarmPoolUpdateStrategy {

    @JsonPropertyDescription("Recreate or OnReplenish.")
    @Default("OnReplenish")
    private UpdateStrategyType type;

    public UpdateStrategyType getType() {
        return type;
    }

    public void setType(UpdateStrategyType type) {
        this.type = type;
    }
}
