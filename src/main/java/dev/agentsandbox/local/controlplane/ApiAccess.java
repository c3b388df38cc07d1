package dev.agentsandbox.local.controlplane;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a client reaches a control plane's API: its URL, a bearer token, and the CA that signed its certificate (empty
 * trusts any certificate: the embedded API server's self-signed one, on loopback only). The same settings become a
 * fabric8 client, fabric8's system properties, or a kubeconfig file.
 */
public record ApiAccess(String url, String token, Optional<Path> certificateAuthority) {

    static final String CONTEXT = "agent-sandbox-local";

    /** A fabric8 client with these settings, whose default namespace is {@code namespace}. */
    public KubernetesClient client(String namespace) {
        ConfigBuilder config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withOauthToken(token)
                .withNamespace(namespace)
                .withHttp2Disable(true);
        certificateAuthority.ifPresentOrElse(
                ca -> config.withCaCertFile(ca.toString()), () -> config.withTrustCerts(true));
        return new KubernetesClientBuilder().withConfig(config.build()).build();
    }

    /**
     * The fabric8 system properties that point every client created afterwards in this JVM (the one Quarkus creates
     * too: {@code quarkus.kubernetes-client.*} are fixed at build time) at this API, and never at a kubeconfig or a
     * ServiceAccount found on the machine.
     */
    public Map<String, String> systemProperties(String namespace) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kubernetes.master", url);
        p.put("kubernetes.auth.token", token);
        p.put("kubernetes.trust.certificates", Boolean.toString(certificateAuthority.isEmpty()));
        certificateAuthority.ifPresent(ca -> p.put("kubernetes.certs.ca.file", ca.toString()));
        p.put("kubernetes.namespace", namespace);
        p.put("kubernetes.auth.tryKubeConfig", "false");
        p.put("kubernetes.auth.tryServiceAccount", "false");
        p.put("http2.disable", "true");
        return p;
    }

    /** A kubeconfig with one cluster, user and context (namespace {@code namespace}), written with mode 0600. */
    public Path writeKubeconfig(Path file, String namespace) throws IOException {
        String trust = certificateAuthority
                .map(ca -> "certificate-authority: " + ca.toAbsolutePath())
                .orElse("insecure-skip-tls-verify: true");
        PrivateFiles.write(
                file,
                """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                    %3$s
                users:
                - name: %1$s
                  user:
                    token: %4$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %5$s
                current-context: %1$s
                """
                        .formatted(CONTEXT, url, trust, token, namespace));
        return file;
    }
}
