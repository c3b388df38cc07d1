package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Reference to a SandboxTemplate in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxTemplateRef {

    @JsonPropertyDescription("Name of the SandboxTemplate.")
    @Required
    private String name;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
