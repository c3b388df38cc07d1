package dev.agentsandbox.router;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Publishes each sandbox's activity as its {@code agents.x-k8s.io/last-activity} annotation, for the controller's
 * idle policy: once per interval, on a thread of its own, each sandbox whose activity is newer than what its
 * Sandbox shows gets one guarded patch ({@link SandboxWrites#publishActivity}). So a sandbox is written at most once
 * per interval whatever its traffic, a quiet one not at all, and a router that stops without publishing loses at
 * most one interval; on a clean shutdown {@link #flush} publishes what is left.
 */
final class ActivityPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ActivityPublisher.class);

    private final SandboxActivity activity;
    private final SandboxDirectory directory;
    private final SandboxWrites writes;
    private final RouterMetrics metrics;
    private final Duration interval;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-router-activity");
        t.setDaemon(true);
        return t;
    });

    ActivityPublisher(
            SandboxActivity activity,
            SandboxDirectory directory,
            SandboxWrites writes,
            RouterMetrics metrics,
            Duration interval) {
        this.activity = activity;
        this.directory = directory;
        this.writes = writes;
        this.metrics = metrics;
        this.interval = interval;
    }

    /** Publishes every interval from now on. */
    ActivityPublisher start() {
        long millis = interval.toMillis();
        thread.scheduleWithFixedDelay(this::publishSafely, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One round: a patch for each sandbox whose activity is newer than what its Sandbox shows. */
    void publish() {
        long now = activity.clock().millis();
        for (SandboxActivity.Use use : activity.uses()) {
            long at = use.activityAt(now);
            if (at <= use.publishedMillis) {
                continue;
            }
            RoutedSandbox cached = directory.find(use.sandbox);
            if (cached == null) {
                continue;
            }
            long there =
                    SandboxWrites.activity(cached).map(Instant::toEpochMilli).orElse(0L);
            if (at <= there) {
                // another router (or a wake) published as late or later
                use.publishedMillis = there;
                continue;
            }
            SandboxWrites.Outcome outcome = writes.publishActivity(cached, Instant.ofEpochMilli(at));
            metrics.activityWrite(outcome.result());
            switch (outcome.result()) {
                case WRITTEN -> use.publishedMillis = at;
                case SUPERSEDED -> use.publishedMillis = outcome.sandbox() == null
                        ? at
                        : SandboxWrites.activity(outcome.sandbox())
                                .map(Instant::toEpochMilli)
                                .orElse(at);
                case FAILED -> LOG.warnf(
                        "router: cannot publish the activity of %s (tried again next interval): %s",
                        use.sandbox, outcome.problem());
            }
        }
    }

    private void publishSafely() {
        try {
            publish();
        } catch (RuntimeException e) {
            // a failed round must not end the schedule
            LOG.errorf(e, "router: publishing sandbox activity failed; trying again in %s", interval);
        }
    }

    /** Publishes what is not published yet, on the publishing thread, waiting at most {@code timeout}. */
    void flush(Duration timeout) {
        try {
            thread.submit(this::publishSafely).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("router: the last activity was not all published within %s: %s", timeout, e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
