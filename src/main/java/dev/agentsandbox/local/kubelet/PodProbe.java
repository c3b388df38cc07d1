package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One readiness, liveness or startup probe of a container, run against the Pod's loopback address. */
final class PodProbe {

    private final Probe probe;
    private final Container container;

    PodProbe(Probe probe, Container container) {
        this.probe = probe;
        this.container = container;
    }

    long initialDelayMillis() {
        return seconds(probe.getInitialDelaySeconds(), 0) * 1000L;
    }

    long periodMillis() {
        return seconds(probe.getPeriodSeconds(), 10) * 1000L;
    }

    int failureThreshold() {
        return seconds(probe.getFailureThreshold(), 3);
    }

    boolean check(String podIp, Map<String, String> env) {
        int timeoutMillis = seconds(probe.getTimeoutSeconds(), 1) * 1000;
        try {
            if (probe.getHttpGet() != null) {
                var get = probe.getHttpGet();
                String host = get.getHost() == null || get.getHost().isBlank() ? podIp : get.getHost();
                String scheme =
                        get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
                String path = get.getPath() == null ? "/" : get.getPath();
                HttpURLConnection c = (HttpURLConnection) URI.create(scheme + "://" + host + ":" + port(get.getPort())
                                + (path.startsWith("/") ? path : "/" + path))
                        .toURL()
                        .openConnection();
                c.setConnectTimeout(timeoutMillis);
                c.setReadTimeout(timeoutMillis);
                if (get.getHttpHeaders() != null) {
                    get.getHttpHeaders().forEach(h -> c.setRequestProperty(h.getName(), h.getValue()));
                }
                try {
                    int code = c.getResponseCode();
                    return code >= 200 && code < 400;
                } finally {
                    c.disconnect();
                }
            }
            if (probe.getTcpSocket() != null) {
                String host = probe.getTcpSocket().getHost() == null
                        ? podIp
                        : probe.getTcpSocket().getHost();
                try (Socket s = new Socket()) {
                    s.connect(
                            new InetSocketAddress(
                                    host, port(probe.getTcpSocket().getPort())),
                            timeoutMillis);
                    return true;
                }
            }
            if (probe.getExec() != null && probe.getExec().getCommand() != null) {
                ProcessBuilder pb = new ProcessBuilder(probe.getExec().getCommand())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
                return p.exitValue() == 0;
            }
            // gRPC probes cannot be run locally; treat the container as healthy rather than never ready
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int port(IntOrString port) {
        if (port == null) {
            throw new IllegalStateException("probe of container " + container.getName() + " has no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        for (ContainerPort p : container.getPorts()) {
            if (port.getStrVal().equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        return Integer.parseInt(port.getStrVal());
    }

    private static int seconds(Integer value, int fallback) {
        return value == null || value <= 0 ? fallback : value;
    }
}
