package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Reference to a SandboxWarmPool in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WarmPoolRef {

    @JsonPropertyDescription("Name of the SandboxWarmPool.")
    @Required
    private String name;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
