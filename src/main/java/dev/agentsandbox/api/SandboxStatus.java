package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Observed state of a Sandbox. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxStatus {

    @JsonPropertyDescription("Ready (authoritative), Suspended, Finished and PodScheduled.")
    private List<Condition> conditions;

    @JsonPropertyDescription("<service>.<namespace>.svc.<cluster domain> of the headless Service.")
    private String serviceFQDN;

    @JsonPropertyDescription("Name of the headless Service.")
    private String service;

    @JsonPropertyDescription("Label selector of the sandbox's Pod: agents.x-k8s.io/sandbox-name-hash=<hash>.")
    private String selector;

    @JsonPropertyDescription("IP addresses of the Pod; empty when no Pod exists.")
    private List<String> podIPs;

    @JsonPropertyDescription("Node the Pod runs on; empty when no Pod exists.")
    private String nodeName;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public String getServiceFQDN() {
        return serviceFQDN;
    }

    public void setServiceFQDN(String serviceFQDN) {
        this.serviceFQDN = serviceFQDN;
    }

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getSelector() {
        return selector;
    }

    public void setSelector(String selector) {
        this.selector = selector;
    }

    public List<String> getPodIPs() {
        return podIPs;
    }

    public void setPodIPs(List<String> podIPs) {
        this.podIPs = podIPs;
    }

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }
}
