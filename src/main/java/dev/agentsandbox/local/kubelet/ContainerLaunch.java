package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/** How a Pod's first container starts as a process: its command line, environment, working directory and log file. */
final class ContainerLaunch {

    private static final Logger LOG = Logger.getLogger(ContainerLaunch.class);

    private final KubernetesClient client;
    private final KubeletSettings settings;
    private final Pod pod;
    private final Container container;
    private final String ip;
    private final String describe;

    ContainerLaunch(KubernetesClient client, KubeletSettings settings, Pod pod, String ip) {
        this.client = client;
        this.settings = settings;
        this.pod = pod;
        this.container = pod.getSpec().getContainers().get(0);
        this.ip = ip;
        this.describe = "pod " + pod.getMetadata().getNamespace() + "/"
                + pod.getMetadata().getName();
    }

    /**
     * The ports the Pod's process will listen on at its address, as far as the spec tells: every declared container
     * port, and the agent's default port when the first container declares none.
     */
    static Set<Integer> listenPorts(Pod pod) {
        Set<Integer> ports = new TreeSet<>();
        List<Container> containers = pod.getSpec().getContainers();
        containers.forEach(c -> c.getPorts().forEach(p -> ports.add(p.getContainerPort())));
        if (!containers.isEmpty()) {
            ports.add(agentPort(containers.get(0)));
        }
        return ports;
    }

    /** The port the agent binds: the container's first declared port, else the agent's default 8080. */
    private static int agentPort(Container container) {
        return container.getPorts().isEmpty()
                ? 8080
                : container.getPorts().get(0).getContainerPort();
    }

    /**
     * The container's environment as a kubelet builds it ({@link PodEnvironment}), plus what the platform image's
     * entrypoint and the offline demo model need. Throws {@link IllegalStateException} or the client's exception
     * while a Secret, ConfigMap or key it names cannot be read.
     */
    Map<String, String> environment() {
        Map<String, String> env =
                new LinkedHashMap<>(PodEnvironment.of(client, pod, container, ip, settings.nodeName()));
        if (PlatformImage.matches(container.getImage())
                && (container.getCommand() == null || container.getCommand().isEmpty())
                && settings.platformAppDir().isPresent()) {
            Path podDir = podDirectory();
            env.putAll(PlatformImage.environment(
                    settings.platformAppDir().get(),
                    container,
                    ip,
                    podDir,
                    PlatformImage.serviceAccountKubeconfig(client, pod, podDir, settings.registersNodes())));
            env.merge("JAVA_OPTS", PlatformImage.listenerOptions(ip), (own, listeners) -> own + " " + listeners);
        }
        env.putAll(VolumePaths.honour(pod, container, env, settings.dataDir().resolve("volumes")));
        boolean agent = container.getImage() != null && container.getImage().contains(settings.agentImageMarker());
        if (agent && !settings.modelEnv().isEmpty()) {
            List<String> missing = new ArrayList<>();
            settings.modelEnv().forEach((k, v) -> {
                if (env.get(k) == null || env.get(k).isBlank()) {
                    env.put(k, v);
                    missing.add(k);
                }
            });
            if (!missing.isEmpty()) {
                LOG.infof("%s: %s not set; using local mode's offline demo model", describe, missing);
            }
        }
        return env;
    }

    /**
     * The command line: this application in agent role for the agent image, the platform image's entrypoint, or the
     * container's own command. Throws {@link IllegalStateException} saying why when local mode cannot run the image.
     */
    List<String> command(Map<String, String> env) {
        String image = container.getImage() == null ? "" : container.getImage();
        int port = agentPort(container);
        if (image.contains(settings.agentImageMarker())) {
            if (settings.agentCommand().isEmpty()) {
                throw new IllegalStateException("local mode cannot run image " + image
                        + ": the application jar (quarkus-run.jar) was not found");
            }
            List<String> cmd = new ArrayList<>(settings.agentCommand());
            // system properties outrank the role defaults, so the agent binds its pod address, not 127.0.0.1:8080
            cmd.add(1, "-Dquarkus.http.host=" + ip);
            cmd.add(2, "-Dquarkus.http.port=" + port);
            cmd.add("agent");
            return cmd;
        }
        boolean hasCommand =
                container.getCommand() != null && !container.getCommand().isEmpty();
        if (!hasCommand && PlatformImage.matches(image)) {
            return PlatformImage.command(
                    settings.platformAppDir()
                            .orElseThrow(() -> new IllegalStateException("local mode cannot run image " + image
                                    + ": the application (quarkus-run.jar) was not found")),
                    container,
                    env);
        }
        if (!hasCommand) {
            throw new IllegalStateException("local mode cannot run image " + image + ": only the agent image (its name "
                    + "contains \"" + settings.agentImageMarker() + "\"), the platform image (repository \""
                    + PlatformImage.REPOSITORY + "\") or a container with a command runs locally");
        }
        LOG.infof("%s: running the container's command; image %s is ignored in local mode", describe, image);
        List<String> cmd = new ArrayList<>();
        container.getCommand().forEach(c -> cmd.add(PodEnvironment.expand(c, env)));
        if (container.getArgs() != null) {
            container.getArgs().forEach(a -> cmd.add(PodEnvironment.expand(a, env)));
        }
        return cmd;
    }

    /**
     * One start of {@code command} under the {@link Watchdog}: only PATH, HOME and the container's environment, the
     * output appended to {@code log}, in the container's working directory when that exists here, else the Pod's
     * folder.
     */
    ProcessBuilder process(List<String> command, Map<String, String> env, Path log) {
        ProcessBuilder pb = new ProcessBuilder(Watchdog.wrap(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        pb.environment().put("HOME", System.getProperty("user.home"));
        pb.environment().putAll(env);
        File dir = container.getWorkingDir() != null && new File(container.getWorkingDir()).isDirectory()
                ? new File(container.getWorkingDir())
                : log.getParent().toFile();
        return pb.directory(dir);
    }

    /** The container's log in the Pod's folder, which this creates. */
    Path logFile() {
        Path dir = podDirectory();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(container.getName() + ".log");
    }

    /** Says where the Pod's PVC volumes are: local mode does not mount them at their paths ({@link VolumePaths}). */
    void logVolumeDirectories() {
        pod.getSpec().getVolumes().stream()
                .filter(v -> v.getPersistentVolumeClaim() != null)
                .forEach(v -> LOG.infof(
                        "%s: volume %s (PVC %s) is the directory %s; mount paths are not honoured in local mode,"
                                + " environment variables naming them are pointed at it",
                        describe,
                        v.getName(),
                        v.getPersistentVolumeClaim().getClaimName(),
                        VolumePaths.directory(
                                settings.dataDir().resolve("volumes"),
                                pod.getMetadata().getNamespace(),
                                v.getPersistentVolumeClaim().getClaimName())));
    }

    /** The Pod's own folder: its containers' logs, its scratch space and its credentials. */
    private Path podDirectory() {
        return settings.dataDir()
                .resolve("pods")
                .resolve(pod.getMetadata().getNamespace() + "_"
                        + pod.getMetadata().getName());
    }
}
