package dev.agentsandbox.bench.idle;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a wake's time goes, as a watch of the benchmark sees it (its events arrive a little after the API server
 * stored them): when the Sandbox was told to run again (the router's patch), when its new Pod appeared, when the Pod
 * turned Ready (the agent listens), and when the Sandbox turned Ready (which releases the router's held request).
 * Times are {@link System#nanoTime()}; 0 until seen.
 */
final class WakeTimeline implements AutoCloseable {

    final AtomicLong running = new AtomicLong();
    final AtomicLong podCreated = new AtomicLong();
    final AtomicLong podReady = new AtomicLong();
    final AtomicLong sandboxReady = new AtomicLong();
    private final Watch pods;
    private final Watch sandboxes;

    WakeTimeline(KubernetesClient client, String namespace, String sandbox) {
        pods = client.pods().inNamespace(namespace).withName(sandbox).watch(new Events<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                long now = System.nanoTime();
                if (action == Action.DELETED || pod.getMetadata().getDeletionTimestamp() != null) {
                    return;
                }
                podCreated.compareAndSet(0, now);
                boolean ready = pod.getStatus() != null
                        && pod.getStatus().getConditions().stream()
                                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                if (ready) {
                    podReady.compareAndSet(0, now);
                }
            }
        });
        sandboxes = client.resources(Sandbox.class)
                .inNamespace(namespace)
                .withName(sandbox)
                .watch(new Events<>() {
                    @Override
                    public void eventReceived(Action action, Sandbox s) {
                        long now = System.nanoTime();
                        if (s.getSpec().getOperatingMode() != OperatingMode.RUNNING) {
                            return;
                        }
                        running.compareAndSet(0, now);
                        if (s.getStatus() != null
                                && Conditions.isTrue(s.getStatus().getConditions(), Conditions.READY)) {
                            sandboxReady.compareAndSet(0, now);
                        }
                    }
                });
    }

    /** Milliseconds from {@code startNanos} to {@code at}, or -1 when it was not seen. */
    static double since(long startNanos, AtomicLong at) {
        long t = at.get();
        return t == 0 ? -1 : (t - startNanos) / 1e6;
    }

    @Override
    public void close() {
        pods.close();
        sandboxes.close();
    }

    private abstract static class Events<T> implements Watcher<T> {
        @Override
        public void onClose(WatcherException cause) {
            // closed by the benchmark, or lost: a figure not seen stays -1
        }
    }
}
