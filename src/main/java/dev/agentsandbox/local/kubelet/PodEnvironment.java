package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment of a container as a kubelet builds it: {@code envFrom}, then {@code env} with values from
 * Secrets, ConfigMaps and the downward API ({@code status.podIP}, {@code metadata.name}, {@code metadata.namespace},
 * ...), with {@code $(VAR)} references expanded.
 */
final class PodEnvironment {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

    private PodEnvironment() {}

    /** Throws {@link IllegalStateException} naming the missing Secret, ConfigMap or key (the Pod stays Pending). */
    static Map<String, String> of(
            KubernetesClient client, Pod pod, Container container, String podIp, String nodeName) {
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getSecretRef() != null) {
                Secret s = client.secrets()
                        .inNamespace(ns)
                        .withName(from.getSecretRef().getName())
                        .get();
                if (s == null) {
                    if (!Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                        throw new IllegalStateException(
                                "secret \"" + from.getSecretRef().getName() + "\" not found");
                    }
                    continue;
                }
                secretData(s).forEach((k, v) -> env.put(prefix + k, v));
            }
            if (from.getConfigMapRef() != null) {
                ConfigMap c = client.configMaps()
                        .inNamespace(ns)
                        .withName(from.getConfigMapRef().getName())
                        .get();
                if (c == null) {
                    if (!Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                        throw new IllegalStateException(
                                "configmap \"" + from.getConfigMapRef().getName() + "\" not found");
                    }
                    continue;
                }
                if (c.getData() != null) {
                    c.getData().forEach((k, v) -> env.put(prefix + k, v));
                }
            }
        }
        for (EnvVar var : container.getEnv()) {
            String value = value(client, pod, var, podIp, nodeName);
            if (value != null) {
                env.put(var.getName(), expand(value, env));
            }
        }
        return env;
    }

    private static String value(KubernetesClient client, Pod pod, EnvVar var, String podIp, String nodeName) {
        if (var.getValueFrom() == null) {
            return var.getValue() == null ? "" : var.getValue();
        }
        String ns = pod.getMetadata().getNamespace();
        var from = var.getValueFrom();
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
            String v = s == null ? null : secretData(s).get(ref.getKey());
            if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new IllegalStateException("env " + var.getName() + ": key \"" + ref.getKey() + "\" of secret \""
                        + ref.getName() + "\" not found");
            }
            return v;
        }
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            ConfigMap c =
                    client.configMaps().inNamespace(ns).withName(ref.getName()).get();
            String v = c == null || c.getData() == null ? null : c.getData().get(ref.getKey());
            if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new IllegalStateException("env " + var.getName() + ": key \"" + ref.getKey()
                        + "\" of configmap \"" + ref.getName() + "\" not found");
            }
            return v;
        }
        if (from.getFieldRef() != null) {
            String path = from.getFieldRef().getFieldPath();
            return switch (path) {
                case "status.podIP", "status.podIPs" -> podIp;
                case "status.hostIP", "status.hostIPs" -> "127.0.0.1";
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.namespace" -> ns;
                case "metadata.uid" -> pod.getMetadata().getUid();
                case "spec.nodeName" -> nodeName;
                case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
                default -> fieldFromMap(pod, path);
            };
        }
        // resourceFieldRef: local processes have no resource limits
        return "";
    }

    private static String fieldFromMap(Pod pod, String path) {
        Matcher m =
                Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
        if (m.matches()) {
            Map<String, String> map = m.group(1).equals("labels")
                    ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        throw new IllegalStateException("unsupported downward API field \"" + path + "\"");
    }

    static Map<String, String> secretData(Secret s) {
        Map<String, String> data = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData()
                    .forEach(
                            (k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            data.putAll(s.getStringData());
        }
        return data;
    }

    /** Expands {@code $(VAR)} from the variables defined so far, as Kubernetes does; unknown references stay. */
    static String expand(String value, Map<String, String> env) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
