package dev.agentsandbox.local.controlplane;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a client reaches a control plane's API: its URL, a bearer token, and the CA that signed its certificate (empty
 * trusts any certificate: the embedded API server's self-signed one, on loopback only).
 */
public record ApiAccess(String url, String token, Optional<Path> certificateAuthority) {

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
}
