package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;

/** Observed state of a warm pool. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxWarmPoolStatus {

    @JsonPropertyDescription("Members the pool has now.")
    @StatusReplicas
    private Integer replicas;

    @JsonPropertyDescription("Members that are Ready.")
    private Integer readyReplicas;

    @JsonPropertyDescription(
            "Label selector of the members: agents.x-k8s.io/warm-pool-sandbox=<hash of the pool name>.")
    @LabelSelector
    private String selector;

    @JsonPropertyDescription("The generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Ready, Progressing and ReplicasAccepted, with reasons.")
    private List<Condition> conditions;

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(Integer readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public String getSelector() {
        return selector;
    }

    public void setSelector(String selector) {
        this.selector = selector;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
