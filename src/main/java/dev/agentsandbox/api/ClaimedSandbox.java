package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The Sandbox a claim was given. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClaimedSandbox {

    @JsonPropertyDescription("Name of the Sandbox.")
    private String name;

    @JsonPropertyDescription("IP addresses of its Pod.")
    private List<String> podIPs;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getPodIPs() {
        return podIPs;
    }

    public void setPodIPs(List<String> podIPs) {
        this.podIPs = podIPs;
    }
}
