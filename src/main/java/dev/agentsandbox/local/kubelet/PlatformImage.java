package dev.agentsandbox.local.kubelet;

import dev.agentsandbox.local.controlplane.ApiAccess;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Pod of the platform image (the controller and router roles; {@code .../agent-sandbox:<tag>}) run as the image
 * runs it: the image's entrypoint ({@code jvm-entrypoint.sh}, which the build copies next to
 * {@code quarkus-run.jar}) with the image's {@code JAVA_TOOL_OPTIONS}, the container's memory and CPU limits as the
 * JVM would see them through the container's cgroup, its listeners on the Pod's address, and the Pod's
 * ServiceAccount credentials in a kubeconfig of its own: on a real control plane a token from the TokenRequest API,
 * bound to the Pod, as a kubelet projects it.
 */
final class PlatformImage {

    /** The last path segment of the platform image's repository. */
    static final String REPOSITORY = "agent-sandbox";

    /** What the JVM image sets (src/main/docker/Dockerfile.jvm); the temporary directory is the Pod's own. */
    static final String IMAGE_JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=60";

    /** A kubelet asks for 3607 s: the API server then issues a token valid for a year, bound to the Pod. */
    static final long TOKEN_SECONDS = 3607;

    private PlatformImage() {}

    static boolean matches(String image) {
        if (image == null) {
            return false;
        }
        String repository = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = repository.lastIndexOf('/');
        int colon = repository.lastIndexOf(':');
        if (colon > slash) {
            repository = repository.substring(0, colon);
        }
        return repository.substring(slash + 1).equals(REPOSITORY);
    }

    /** The entrypoint, then the container's args (a role name or {@code client ...}) as the image passes them on. */
    static List<String> command(Path appDir, Container container, Map<String, String> env) {
        Path entrypoint = appDir.resolve("jvm-entrypoint.sh");
        if (!Files.isRegularFile(entrypoint)) {
            throw new IllegalStateException("local mode cannot run the platform image: " + entrypoint
                    + " is missing (./mvnw package copies it next to quarkus-run.jar)");
        }
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", entrypoint.toString()));
        if (container.getArgs() != null) {
            container.getArgs().forEach(a -> cmd.add(PodEnvironment.expand(a, env)));
        }
        return cmd;
    }

    /** What the image and the container runtime add to the container's own environment. */
    static Map<String, String> environment(
            Path appDir, Container container, String ip, Path podDir, Optional<Path> kubeconfig) {
        try {
            Files.createDirectories(podDir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Pod's temporary directory in " + podDir, e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("APP_DIR", appDir.toString());
        StringBuilder jvm = new StringBuilder(IMAGE_JAVA_TOOL_OPTIONS)
                .append(" -Djava.io.tmpdir=")
                .append(podDir.resolve("tmp"));
        limit(container, "memory").map(Quantity::getAmountInBytes).ifPresent(bytes -> jvm.append(" -XX:MaxRAM=")
                .append(bytes.toBigInteger()));
        limit(container, "cpu")
                .map(Quantity::getAmountInBytes)
                .map(cpus -> cpus.setScale(0, RoundingMode.CEILING).max(BigDecimal.ONE))
                .ifPresent(cpus -> jvm.append(" -XX:ActiveProcessorCount=").append(cpus.toBigInteger()));
        env.put("JAVA_TOOL_OPTIONS", jvm.toString());
        kubeconfig.ifPresent(k -> env.put("KUBECONFIG", k.toString()));
        return env;
    }

    /**
     * The listeners on the Pod's address: inside a Pod the roles bind 0.0.0.0, which two Pods on this machine
     * cannot share. System properties outrank the role defaults, and the ports stay the image's.
     */
    static String listenerOptions(String ip) {
        return "-Dquarkus.http.host=" + ip + " -Dsandbox.router.host=" + ip;
    }

    private static Optional<Quantity> limit(Container container, String resource) {
        return Optional.ofNullable(container.getResources())
                .map(r -> r.getLimits())
                .map(l -> l.get(resource));
    }

    /**
     * A kubeconfig for the Pod's ServiceAccount, or empty when the Pod opts out of the token
     * ({@code automountServiceAccountToken: false}). On a real control plane the token comes from the TokenRequest
     * API, bound to this Pod (it stops working when the Pod is deleted); the embedded API server has one token, which
     * the Pod gets.
     */
    static Optional<Path> serviceAccountKubeconfig(KubernetesClient client, Pod pod, Path podDir, boolean realApi) {
        if (Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
            return Optional.empty();
        }
        Config api = client.getConfiguration();
        String ns = pod.getMetadata().getNamespace();
        try {
            Files.createDirectories(podDir);
            Path file = podDir.resolve("kubeconfig");
            if (!realApi) {
                return Optional.of(new ApiAccess(api.getMasterUrl(), api.getOauthToken(), Optional.empty())
                        .writeKubeconfig(file, ns));
            }
            String account =
                    Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
            TokenRequest issued = client.serviceAccounts()
                    .inNamespace(ns)
                    .withName(account)
                    .tokenRequest(new TokenRequestBuilder()
                            .withNewSpec()
                            .withExpirationSeconds(TOKEN_SECONDS)
                            .withNewBoundObjectRef()
                            .withApiVersion("v1")
                            .withKind("Pod")
                            .withName(pod.getMetadata().getName())
                            .withUid(pod.getMetadata().getUid())
                            .endBoundObjectRef()
                            .endSpec()
                            .build());
            // inline: fabric8 does not read a kubeconfig's tokenFile (the Pod ran as system:anonymous with one)
            return Optional.of(new ApiAccess(
                            api.getMasterUrl(),
                            issued.getStatus().getToken(),
                            Optional.of(Path.of(api.getCaCertFile())))
                    .writeKubeconfig(file, ns));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Pod's kubeconfig in " + podDir, e);
        }
    }
}
