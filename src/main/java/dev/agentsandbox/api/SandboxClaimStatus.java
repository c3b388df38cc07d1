package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Observed state of a claim. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxClaimStatus {

    @JsonPropertyDescription("Ready (mirrors the Sandbox or says why not) and Finished.")
    private List<Condition> conditions;

    @JsonPropertyDescription("The Sandbox assigned to this claim.")
    private ClaimedSandbox sandbox;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public ClaimedSandbox getSandbox() {
        return sandbox;
    }

    public void setSandbox(ClaimedSandbox sandbox) {
        this.sandbox = sandbox;
    }
}
