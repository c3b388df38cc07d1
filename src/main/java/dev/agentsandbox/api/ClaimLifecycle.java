package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** When a claim expires and what happens then. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClaimLifecycle {

    @JsonPropertyDescription("RFC 3339 time at which the claim expires.")
    private String shutdownTime;

    @JsonPropertyDescription("Seconds after the sandbox Finished at which the claim expires.")
    @Min(0)
    private Long ttlSecondsAfterFinished;

    @JsonPropertyDescription("Delete, DeleteForeground or Retain (only the Sandbox is deleted).")
    @Default("Retain")
    private ClaimShutdownPolicy shutdownPolicy;

    public String getShutdownTime() {
        return shutdownTime;
    }

    public void setShutdownTime(String shutdownTime) {
        this.shutdownTime = shutdownTime;
    }

    public Long getTtlSecondsAfterFinished() {
        return ttlSecondsAfterFinished;
    }

    public void setTtlSecondsAfterFinished(Long ttlSecondsAfterFinished) {
        this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
    }

    public ClaimShutdownPolicy getShutdownPolicy() {
        return shutdownPolicy;
    }

    public void setShutdownPolicy(ClaimShutdownPolicy shutdownPolicy) {
        this.shutdownPolicy = shutdownPolicy;
    }
}
