package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The headless Service of a Sandbox: named after it, selecting its Pod by name hash, one port per container port. */
public final class SandboxService {

    private SandboxService() {}

    public static String name(Sandbox sandbox) {
        return sandbox.getMetadata().getName();
    }

    public static Service desired(Sandbox sandbox) {
        String hash = SandboxPods.nameHash(sandbox);
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name(sandbox))
                .withNamespace(sandbox.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.SANDBOX_NAME_HASH, hash))
                .withOwnerReferences(Ownership.controllerReference(sandbox))
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(Map.of(Labels.SANDBOX_NAME_HASH, hash))
                .withPorts(ports(sandbox.getSpec().getPodTemplate().getSpec()))
                .endSpec()
                .build();
    }

    /**
     * The ports of all containers (and of native sidecars), first occurrence wins per (port,
     * protocol). Unnamed ports are named {@code p-<port>-<proto>}; a name already used is replaced the same way, since
     * Service port names must be unique.
     */
    public static List<ServicePort> ports(PodSpec spec) {
        List<Container> containers = servingContainers(spec);
        Set<String> seen = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        List<ServicePort> ports = new ArrayList<>();
        for (Container container : containers) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort port : container.getPorts()) {
                if (port.getContainerPort() == null) {
                    continue;
                }
                String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
                if (!seen.add(port.getContainerPort() + "/" + protocol)) {
                    continue;
                }
                String name = port.getName();
                if (name == null || name.isBlank() || names.contains(name)) {
                    name = "p-" + port.getContainerPort() + "-" + protocol.toLowerCase(Locale.ROOT);
                }
                names.add(name);
                ports.add(new ServicePortBuilder()
                        .withName(name)
                        .withProtocol(protocol)
                        .withPort(port.getContainerPort())
                        .withTargetPort(new IntOrString(port.getContainerPort()))
                        .build());
            }
        }
        return ports;
    }

    /** The containers that can serve: the ordinary ones and native sidecars (ordinary init containers have exited). */
    private static List<Container> servingContainers(PodSpec spec) {
        List<Container> containers = new ArrayList<>();
        if (spec == null) {
            return containers;
        }
        if (spec.getContainers() != null) {
            containers.addAll(spec.getContainers());
        }
        if (spec.getInitContainers() != null) {
            spec.getInitContainers().stream()
                    .filter(c -> "Always".equals(c.getRestartPolicy()))
                    .forEach(containers::add);
        }
        return containers;
    }

    /** Whether an owned Service differs from the desired one in what this controller manages. */
    public static boolean drifted(Service live, Service desired) {
        return !desired.getSpec().getSelector().equals(live.getSpec().getSelector())
                || !desired.getSpec().getPorts().equals(normalise(live.getSpec().getPorts()))
                || live.getMetadata().getLabels() == null
                || !desired.getMetadata()
                        .getLabels()
                        .get(Labels.SANDBOX_NAME_HASH)
                        .equals(live.getMetadata().getLabels().get(Labels.SANDBOX_NAME_HASH));
    }

    private static List<ServicePort> normalise(List<ServicePort> ports) {
        if (ports == null) {
            return List.of();
        }
        // The API server fills in defaults we do not set (nodePort, appProtocol); compare only our fields.
        return ports.stream()
                .map(p -> new ServicePortBuilder()
                        .withName(p.getName())
                        .withProtocol(p.getProtocol())
                        .withPort(p.getPort())
                        .withTargetPort(p.getTargetPort())
                        .build())
                .toList();
    }
}
