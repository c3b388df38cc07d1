package dev.agentsandbox.router;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The router's side of the Sandboxes, wired once for the router role and the tests: its cache of them
 * ({@link SandboxDirectory}), the routes it resolves from it, the activity it records and publishes on them, and the
 * wakes of idle-suspended ones. Started before the listener takes traffic; on shutdown, after the drain,
 * {@link #flush} publishes the activity not published yet.
 */
public final class RouterSandboxes implements AutoCloseable {

    private final SandboxDirectory directory;
    private final SandboxActivity activity;
    private final SandboxWakes wakes;
    private final SandboxRoutes routes;
    /** Null when activity tracking is off. */
    private final ActivityPublisher publisher;

    private RouterSandboxes(
            SandboxDirectory directory,
            SandboxActivity activity,
            SandboxWakes wakes,
            SandboxRoutes routes,
            ActivityPublisher publisher) {
        this.directory = directory;
        this.activity = activity;
        this.wakes = wakes;
        this.routes = routes;
        this.publisher = publisher;
    }

    /** Builds (without starting) the cache and what hangs off it. */
    public static RouterSandboxes create(
            KubernetesClient client, RouterConfig config, Vertx vertx, RouterMetrics metrics, Clock clock) {
        SandboxActivity activity = new SandboxActivity(clock, config.activityTracking(), metrics::lastRequest);
        SandboxWrites writes = new SandboxWrites(client);
        // the directory tells the wakes of each change, and the wakes read the directory: built in two steps
        SandboxWakes[] wakes = new SandboxWakes[1];
        SandboxDirectory directory =
                SandboxDirectory.create(client, config.namespaces(), new SandboxDirectory.Listener() {
                    @Override
                    public void changed(RoutedSandbox sandbox) {
                        wakes[0].changed(sandbox);
                    }

                    @Override
                    public void removed(String sandbox) {
                        metrics.sandboxRemoved(sandbox);
                        activity.forget(sandbox);
                        wakes[0].removed(sandbox);
                    }
                });
        wakes[0] = new SandboxWakes(vertx, directory, writes, metrics, clock, config.retryAfterSeconds());
        SandboxRoutes routes = new SandboxRoutes(
                directory,
                config.retryAfterSeconds(),
                clock,
                config.maxWakeWait().toMillis());
        ActivityPublisher publisher = config.activityTracking()
                ? new ActivityPublisher(activity, directory, writes, metrics, config.activityInterval())
                : null;
        return new RouterSandboxes(directory, activity, wakes[0], routes, publisher);
    }

    /** Starts the cache and the publishing; completes when the cache holds its first list. */
    public CompletionStage<Void> start() {
        if (publisher != null) {
            publisher.start();
        }
        return directory.start();
    }

    public SandboxDirectory directory() {
        return directory;
    }

    public SandboxActivity activity() {
        return activity;
    }

    public SandboxRoutes routes() {
        return routes;
    }

    SandboxWakes wakes() {
        return wakes;
    }

    /** Publishes the activity not published yet (a clean shutdown loses none), waiting at most {@code timeout}. */
    public void flush(Duration timeout) {
        if (publisher != null) {
            publisher.flush(timeout);
        }
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
        wakes.close();
        directory.close();
    }
}
