package dev.agentsandbox.testing;

import dev.agentsandbox.local.controlplane.KubeControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest}'s Kubernetes client at the {@link RealControlPlane} (with full rights, as the
 * embedded API server's tests do), with the test namespace created. Use through {@link WithRealControlPlane}.
 */
public class RealControlPlaneResource implements QuarkusTestResourceConfigurableLifecycleManager<WithRealControlPlane> {

    private String namespace = "test";
    private KubernetesClient client;

    @Override
    public void init(WithRealControlPlane annotation) {
        this.namespace = annotation.namespace();
    }

    @Override
    public Map<String, String> start() {
        KubeControlPlane plane = RealControlPlane.get();
        client = plane.client(namespace);
        RealControlPlane.namespace(client, namespace);
        // as EmbeddedApiServerResource: quarkus.kubernetes-client.* are fixed at build time
        plane.clientSystemProperties(namespace).forEach(System::setProperty);
        return Map.of("quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(
                client, new TestInjector.AnnotatedAndMatchesType(EmbeddedApi.class, KubernetesClient.class));
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
        for (String key :
                RealControlPlane.get().clientSystemProperties(namespace).keySet()) {
            System.clearProperty(key);
        }
    }
}
