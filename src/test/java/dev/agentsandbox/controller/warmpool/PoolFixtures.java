package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateRef;
import dev.agentsandbox.api.SandboxTemplateSpec;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolSpec;
import dev.agentsandbox.api.UpdateStrategyType;
import dev.agentsandbox.api.WarmPoolUpdateStrategy;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/** Templates, pools and member queries for the controller tests. */
public final class PoolFixtures {

    private PoolFixtures() {}

    public static SandboxTemplate template(String namespace, String name, String image) {
        SandboxTemplate template = new SandboxTemplate();
        template.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        SandboxTemplateSpec spec = new SandboxTemplateSpec();
        PodTemplate pod = new PodTemplate();
        PodTemplateMetadata meta = new PodTemplateMetadata();
        meta.setLabels(Map.of("app", "agent"));
        pod.setMetadata(meta);
        pod.setSpec(new PodSpecBuilder()
                .withContainers(List.of(new ContainerBuilder()
                        .withName("agent")
                        .withImage(image)
                        .build()))
                .build());
        spec.setPodTemplate(pod);
        template.setSpec(spec);
        return template;
    }

    public static SandboxWarmPool pool(
            String namespace, String name, String template, int replicas, UpdateStrategyType strategy) {
        SandboxWarmPool pool = new SandboxWarmPool();
        pool.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        SandboxWarmPoolSpec spec = new SandboxWarmPoolSpec();
        spec.setReplicas(replicas);
        SandboxTemplateRef ref = new SandboxTemplateRef();
        ref.setName(template);
        spec.setSandboxTemplateRef(ref);
        if (strategy != null) {
            WarmPoolUpdateStrategy s = new WarmPoolUpdateStrategy();
            s.setType(strategy);
            spec.setUpdateStrategy(s);
        }
        pool.setSpec(spec);
        return pool;
    }

    /** Live members of the pool, as the API server has them. */
    public static List<Sandbox> members(KubernetesClient client, String namespace, String pool) {
        return client.resources(Sandbox.class).inNamespace(namespace).list().getItems().stream()
                .filter(s -> WarmPoolMembers.isMemberOf(s, pool, null))
                .toList();
    }

    public static SandboxWarmPool livePool(KubernetesClient client, String namespace, String name) {
        return client.resources(SandboxWarmPool.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    public static void scale(KubernetesClient client, String namespace, String name, int replicas) {
        SandboxWarmPool pool = livePool(client, namespace, name);
        pool.getSpec().setReplicas(replicas);
        client.resource(pool).update();
    }
}
