package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** Desired state of a Sandbox: the blueprint plus lifecycle. */
@ValidationRule(
        value =
                "!has(oldSelf.volumeClaimTemplates) || (has(self.volumeClaimTemplates) && self.volumeClaimTemplates == oldSelf.volumeClaimTemplates)",
        message = "volumeClaimTemplates is immutable once set",
        fieldPath = ".volumeClaimTemplates")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxSpec extends SandboxBlueprint {

    @JsonPropertyDescription(
            "RFC 3339 time at which the sandbox expires (Ready=False/SandboxExpired; Pod and Service deleted).")
    private String shutdownTime;

    @JsonPropertyDescription("What happens at shutdownTime: Delete removes the Sandbox, Retain keeps it.")
    @Default("Retain")
    private ShutdownPolicy shutdownPolicy;

    @JsonPropertyDescription(
            "Running keeps the Pod running; Suspended deletes only the Pod (Service and volumes stay).")
    @Default("Running")
    private OperatingMode operatingMode;

    public String getShutdownTime() {
        return shutdownTime;
    }

    public void setShutdownTime(String shutdownTime) {
        this.shutdownTime = shutdownTime;
    }

    public ShutdownPolicy getShutdownPolicy() {
        return shutdownPolicy;
    }

    public void setShutdownPolicy(ShutdownPolicy shutdownPolicy) {
        this.shutdownPolicy = shutdownPolicy;
    }

    public OperatingMode getOperatingMode() {
        return operatingMode;
    }

    public void setOperatingMode(OperatingMode operatingMode) {
        this.operatingMode = operatingMode;
    }
}
