package dev.agentsandbox.testing;

import dev.agentsandbox.local.apiserver.ApiFaults;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Starts the embedded Kubernetes API server for a Quarkus test, applies the CRDs the build generated
 * ({@code target/kubernetes/*-v1.yml}; the operator SDK's {@code crd.apply} in the test profile applies them too when
 * the files do not exist yet) and points the application's Kubernetes client at it through fabric8's system
 * properties ({@code kubernetes.master}, {@code kubernetes.auth.token}, ...), since the
 * {@code quarkus.kubernetes-client.*} properties are fixed at build time.
 * Use through {@link WithEmbeddedApiServer}, or directly with {@code @QuarkusTestResource}.
 */
public class EmbeddedApiServerResource
        implements QuarkusTestResourceConfigurableLifecycleManager<WithEmbeddedApiServer> {

    private static final Logger LOG = Logger.getLogger(EmbeddedApiServerResource.class);
    private static volatile EmbeddedApiServer current;

    private String namespace = "test";
    private EmbeddedApiServer server;
    private KubernetesClient client;

    @Override
    public void init(WithEmbeddedApiServer annotation) {
        this.namespace = annotation.namespace();
    }

    @Override
    public Map<String, String> start() {
        server = EmbeddedApiServer.start();
        client = server.client(namespace);
        Path generated = Path.of("target", "kubernetes");
        if (Files.isDirectory(generated)) {
            try {
                server.applyCrds(client, generated);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot apply the CRDs in " + generated.toAbsolutePath(), e);
            }
        } else {
            LOG.infof("no generated CRDs in %s yet; the operator SDK's crd.apply will apply them", generated);
        }
        current = server;
        // quarkus.kubernetes-client.* are fixed at build time in this Quarkus version (a runtime override is ignored
        // with a warning), so the client is pointed at the server through fabric8's own system properties, as
        // quarkus-test-kubernetes-client does; the client must not pick up a kubeconfig or a service account.
        for (Map.Entry<String, String> p :
                server.clientSystemProperties(namespace).entrySet()) {
            System.setProperty(p.getKey(), p.getValue());
        }
        return Map.of("quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(
                client, new TestInjector.AnnotatedAndMatchesType(EmbeddedApi.class, KubernetesClient.class));
        injector.injectIntoFields(
                server.faults(), new TestInjector.AnnotatedAndMatchesType(EmbeddedApi.class, ApiFaults.class));
        injector.injectIntoFields(
                server, new TestInjector.AnnotatedAndMatchesType(EmbeddedApi.class, EmbeddedApiServer.class));
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        current = null;
    }

    /** The server of the test resource that runs now (for helpers that cannot take injection). */
    public static EmbeddedApiServer server() {
        if (current == null) {
            throw new IllegalStateException(
                    "no embedded API server is running: annotate the test with @WithEmbeddedApiServer");
        }
        return current;
    }
}
