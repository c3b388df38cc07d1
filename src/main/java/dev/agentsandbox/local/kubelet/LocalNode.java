package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Node that the process kubelet registers on a real control plane. Capacity is generous and synthetic (the Pods
 * are processes on this machine); the labels and taints are those of an AKS node pool, so the scheduler places Pods
 * as it would there.
 *
 * @param name the Node's name
 * @param labels the Node's labels
 * @param taints the Node's taints
 */
public record LocalNode(String name, Map<String, String> labels, List<Taint> taints) {

    public static final String CPU = "64";
    public static final String MEMORY = "256Gi";
    public static final String PODS = "1000";

    /** The AKS system pool: the controller and the router run here. */
    public static LocalNode systemPool(String name) {
        return new LocalNode(name, labels(name, "nodepool1", Map.of("kubernetes.azure.com/mode", "system")), List.of());
    }

    /**
     * The kata-aks example's Kata node pool ({@code deploy/aks/deploy.sh}: {@code --workload-runtime
     * KataVmIsolation --node-taints kata=enabled:NoSchedule}): the label the example's template selects and the
     * taint it tolerates.
     */
    public static LocalNode kataPool(String name) {
        return new LocalNode(
                name,
                labels(name, "katapool", Map.of("kubernetes.azure.com/kata-vm-isolation", "true")),
                List.of(new TaintBuilder()
                        .withKey("kata")
                        .withValue("enabled")
                        .withEffect("NoSchedule")
                        .build()));
    }

    private static Map<String, String> labels(String name, String pool, Map<String, String> extra) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("kubernetes.azure.com/agentpool", pool);
        labels.putAll(extra);
        return labels;
    }
}
