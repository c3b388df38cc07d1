package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** An environment variable a claim sets on its sandbox (cold start only). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClaimEnvVar {

    @JsonPropertyDescription("Variable name.")
    @Required
    private String name;

    @JsonPropertyDescription("Variable value.")
    private String value;

    @JsonPropertyDescription("Container to set it on; all containers when empty.")
    private String containerName;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    public String getContainerName() {
        return containerName;
    }

    public void setContainerName(String containerName) {
        this.containerName = containerName;
    }
}
