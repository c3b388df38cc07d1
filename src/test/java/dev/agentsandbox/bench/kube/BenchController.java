package dev.agentsandbox.bench.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One of the two controllers the benchmark compares: how to start it as a process with a kubeconfig of its own
 * ServiceAccount (so that its requests can be told apart in the audit log), and the CRDs it is deployed with.
 *
 * @param name the name in the report
 * @param serviceAccount its ServiceAccount in {@link #SYSTEM}
 * @param crds the CustomResourceDefinitions its release installs, as they are applied here
 * @param command the command line; {@code environment} is added to this process's environment
 * @param describe the version and flags, for the report
 */
record BenchController(
        String name,
        String serviceAccount,
        List<CustomResourceDefinition> crds,
        List<String> command,
        Map<String, String> environment,
        String describe) {

    static final String SYSTEM = "agent-sandbox-system";

    String user() {
        return "system:serviceaccount:" + SYSTEM + ":" + serviceAccount;
    }

    Process start(Path kubeconfig, Path logFile) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        return builder.start();
    }

    /**
     * This platform as deployed: the packaged application in controller role with the environment of the generated
     * Deployment's container, and the JVM flags that container gives it: the image's {@code JAVA_TOOL_OPTIONS}
     * ({@code src/main/docker/Dockerfile.jvm}) on the container's memory limit ({@code -XX:MaxRAM}, which a JVM in a
     * container reads from its cgroup) and CPU limit ({@code -XX:ActiveProcessorCount}), and the controller role's
     * flags file that the image's entrypoint adds ({@code controller.jvm-options}, copied next to the jar).
     */
    static BenchController ours(
            String name, String serviceAccount, KubernetesClient parser, Path appDir, Path manifests, Path dockerfile)
            throws IOException {
        Container container = controllerContainer(parser, manifests.resolve("kubernetes.yml"));
        Map<String, Quantity> limits = container.getResources().getLimits();
        List<String> jvm = new ArrayList<>();
        jvm.add("-XX:MaxRAM=" + Quantity.getAmountInBytes(limits.get("memory")).longValue());
        jvm.add("-XX:ActiveProcessorCount="
                + (int) Math.ceil(Quantity.getAmountInBytes(limits.get("cpu")).doubleValue()));
        jvm.addAll(List.of(javaToolOptions(dockerfile).split(" ")));
        // the controller role's own flags, which the image's entrypoint gives it (a build older than the file has none)
        Path roleFlags = appDir.resolve("controller.jvm-options");
        if (Files.isRegularFile(roleFlags)) {
            jvm.add("@" + roleFlags);
        }
        // to look inside while it runs, e.g. -Dbench.ours.jvmOptions=-XX:StartFlightRecording=filename=ours.jfr
        String extra = System.getProperty("bench.ours.jvmOptions", "").trim();
        if (!extra.isEmpty()) {
            jvm.addAll(List.of(extra.split(" ")));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            // the only field references are to the Pod's namespace
            env.put(e.getName(), e.getValue() != null ? e.getValue() : SYSTEM);
        }
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvm);
        // the HTTP listener (health, metrics) on loopback, on a free port: a Pod has its own address
        command.addAll(List.of(
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + freePort(),
                "-jar",
                appDir.resolve("quarkus-run.jar").toString()));
        List<CustomResourceDefinition> crds = new ArrayList<>();
        try (Stream<Path> files = Files.list(manifests)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith("-v1.yml"))
                    .sorted()
                    .toList()) {
                crds.addAll(load(parser, f));
            }
        }
        return new BenchController(
                name,
                serviceAccount,
                crds,
                command,
                env,
                "this platform's jar (" + appDir + "), role controller, JVM flags " + String.join(" ", jvm) + " ("
                        + Runtime.version() + ")");
    }

    /**
     * The upstream controller as built by {@code bench/upstream-controller/build.sh}, with the arguments of its
     * release's {@code k8s/extensions.controller.yaml} ({@code --leader-elect=true --extensions}), its webhook off,
     * its listeners on loopback. Its CRDs convert between v1alpha1 and v1beta1 through that webhook; with the webhook
     * off the controller requires {@code conversion: None}, which is the one change made to them here (only v1beta1
     * objects are written, and v1beta1 is their storage version, so no conversion is ever needed).
     */
    static BenchController upstream(KubernetesClient parser, Path upstreamDir, String version) throws IOException {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        try (Stream<Path> files = Files.list(upstreamDir.resolve("crds"))) {
            for (Path f :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (CustomResourceDefinition crd : load(parser, f)) {
                    crd.getSpec().setConversion(new CustomResourceConversion("None", null));
                    crds.add(crd);
                }
            }
        }
        List<String> flags = List.of(
                "--leader-elect=true",
                "--extensions",
                "--enable-webhook=false",
                "--leader-election-namespace=" + SYSTEM,
                "--metrics-bind-address=127.0.0.1:" + freePort(),
                "--health-probe-bind-address=127.0.0.1:" + freePort());
        List<String> command = new ArrayList<>(
                List.of(upstreamDir.resolve("agent-sandbox-controller").toString()));
        command.addAll(flags);
        return new BenchController(
                "upstream",
                "agent-sandbox-upstream-controller",
                crds,
                command,
                Map.of(),
                "sigs.k8s.io/agent-sandbox " + version + " cmd/agent-sandbox-controller, flags "
                        + String.join(" ", flags));
    }

    private static Container controllerContainer(KubernetesClient parser, Path manifest) throws IOException {
        try (InputStream in = Files.newInputStream(manifest)) {
            return parser.load(in).items().stream()
                    .filter(o -> o instanceof Deployment
                            && "agent-sandbox-controller".equals(o.getMetadata().getName()))
                    .map(o -> ((Deployment) o)
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalStateException("no Deployment agent-sandbox-controller in " + manifest));
        }
    }

    private static String javaToolOptions(Path dockerfile) throws IOException {
        Matcher m = Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(dockerfile));
        if (!m.find()) {
            throw new IllegalStateException("no JAVA_TOOL_OPTIONS in " + dockerfile);
        }
        // the image's temporary directory is the container's own /tmp; the host's is as good here
        return m.group(1).replace(" -Djava.io.tmpdir=/tmp", "");
    }

    private static List<CustomResourceDefinition> load(KubernetesClient parser, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<CustomResourceDefinition> out = new ArrayList<>();
            for (HasMetadata o : parser.load(in).items()) {
                if (o instanceof CustomResourceDefinition crd) {
                    out.add(crd);
                }
            }
            return out;
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
