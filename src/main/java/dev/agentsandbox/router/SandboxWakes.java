package dev.agentsandbox.router;

import dev.agentsandbox.api.Conditions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Requests held while their idle-suspended sandbox wakes (docs/router.md, "Idle sandboxes: wake on request"). The
 * first request for a sandbox starts one wake ({@link SandboxWrites#wake}, on a thread of its own); every request
 * for it, the first included, waits for the router's cache to show the Sandbox Ready, which the informer reports
 * ({@link #changed}): no polling, and no event-loop thread held, only a timer per waiting request on its own event
 * loop. At most one wake per sandbox is in flight in this router; across routers the write's resourceVersion
 * precondition lets only one through.
 */
final class SandboxWakes implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SandboxWakes.class);

    /** What a held request does when its wait ends; called on the request's event loop, exactly once. */
    interface Waiter {

        /** The sandbox is Ready: route the request again. */
        void awake();

        /** The wait ended without a Ready sandbox: answer with this. */
        void refused(RouteRejection why);
    }

    /** A held request; {@link #cancel} when its client goes away. */
    interface Hold {
        void cancel();
    }

    private final Vertx vertx;
    private final SandboxDirectory directory;
    private final SandboxWrites writes;
    private final RouterMetrics metrics;
    private final Clock clock;
    private final int retryAfterSeconds;
    private final Map<String, Wake> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sandbox-router-wake");
        t.setDaemon(true);
        return t;
    });

    SandboxWakes(
            Vertx vertx,
            SandboxDirectory directory,
            SandboxWrites writes,
            RouterMetrics metrics,
            Clock clock,
            int retryAfterSeconds) {
        this.vertx = vertx;
        this.directory = directory;
        this.writes = writes;
        this.metrics = metrics;
        this.clock = clock;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * Holds a request for {@code asleep}'s sandbox for up to {@code waitMillis}, waking the sandbox first when it is
     * idle-suspended and no wake is in flight for it. Call on the request's event loop.
     */
    Hold hold(SandboxAsleep asleep, long waitMillis, Waiter waiter) {
        String key = asleep.sandbox().key();
        Held held = new Held(Vertx.currentContext(), waiter);
        Wake wake;
        boolean startWake;
        while (true) {
            wake = inFlight.computeIfAbsent(key, Wake::new);
            synchronized (wake) {
                if (wake.settled) {
                    // settled between the lookup and the lock: the next lookup finds a new one
                    continue;
                }
                wake.held.add(held);
                held.wake = wake;
                // once per wake: a cache that has not shown the write yet must not start a second one
                startWake = asleep.state() == SleepState.IDLE_SUSPENDED && !wake.written;
                if (startWake) {
                    wake.written = true;
                    wake.writing = true;
                }
            }
            break;
        }
        held.timer = vertx.setTimer(Math.max(1, waitMillis), id -> timedOut(held, key));
        if (startWake) {
            Wake started = wake;
            writer.execute(() -> write(started, asleep.sandbox()));
        }
        // the cache may have shown it Ready between the request's look and the registration
        RoutedSandbox now = directory.find(key);
        if (now != null) {
            observe(wake, now);
        }
        return held;
    }

    /** The informer saw {@code sandbox} change: releases the requests waiting for it once it is Ready. */
    void changed(RoutedSandbox sandbox) {
        Wake wake = inFlight.get(sandbox.key());
        if (wake != null) {
            observe(wake, sandbox);
        }
    }

    /** The Sandbox {@code key} was deleted while requests waited for it. */
    void removed(String key) {
        Wake wake = inFlight.get(key);
        if (wake != null) {
            settle(wake, new RouteRejection(404, "Sandbox " + key + " was deleted while it woke."));
        }
    }

    /** Requests waiting now, over all sandboxes (for tests and the drain). */
    int waiting() {
        return inFlight.values().stream()
                .mapToInt(w -> {
                    synchronized (w) {
                        return w.held.size();
                    }
                })
                .sum();
    }

    private void observe(Wake wake, RoutedSandbox sandbox) {
        if (sandbox.suspended()) {
            if (SleepState.of(sandbox, clock.millis(), 0) == SleepState.USER_SUSPENDED) {
                settle(wake, userSuspended(sandbox));
            }
            return;
        }
        if (routable(sandbox)) {
            settle(wake, null);
        }
    }

    /** The wake's one write, on the writer thread. */
    private void write(Wake wake, RoutedSandbox seen) {
        SandboxWrites.Outcome outcome;
        try {
            outcome = writes.wake(seen, clock.instant());
        } catch (RuntimeException e) {
            outcome = new SandboxWrites.Outcome(RouterMetrics.WriteResult.FAILED, seen, e.toString());
        }
        metrics.wake(outcome.result());
        synchronized (wake) {
            wake.writing = false;
        }
        RoutedSandbox after = outcome.sandbox();
        switch (outcome.result()) {
            case WRITTEN -> LOG.infof("router: woke idle-suspended sandbox %s", seen.key());
            case FAILED -> {
                LOG.errorf("router: cannot wake sandbox %s: %s", seen.key(), outcome.problem());
                settle(
                        wake,
                        new RouteRejection(
                                503,
                                "Sandbox " + seen.key() + " is suspended for being idle and the router could not "
                                        + "wake it; retry shortly.",
                                retryAfterSeconds));
                return;
            }
            case SUPERSEDED -> {
                if (after == null) {
                    settle(wake, new RouteRejection(404, "Sandbox " + seen.key() + " not found."));
                    return;
                }
            }
        }
        if (after != null) {
            observe(wake, after);
        }
        retireIfIdle(wake);
    }

    private void timedOut(Held held, String key) {
        if (held.finish()) {
            leave(held);
            metrics.wakeWait(RouterMetrics.WakeWait.TIMEOUT, System.nanoTime() - held.startNanos);
            held.waiter.refused(RouteRejection.waking(key, retryAfterSeconds));
        }
    }

    /** Ends every wait of {@code wake}: forwarded when {@code why} is null, else refused with it. */
    private void settle(Wake wake, RouteRejection why) {
        List<Held> released;
        synchronized (wake) {
            if (wake.settled) {
                return;
            }
            wake.settled = true;
            released = new ArrayList<>(wake.held);
            wake.held.clear();
        }
        inFlight.remove(wake.key, wake);
        for (Held held : released) {
            held.context.runOnContext(v -> {
                if (!held.finish()) {
                    return;
                }
                vertx.cancelTimer(held.timer);
                metrics.wakeWait(
                        why == null ? RouterMetrics.WakeWait.FORWARDED : RouterMetrics.WakeWait.ABANDONED,
                        System.nanoTime() - held.startNanos);
                if (why == null) {
                    held.waiter.awake();
                } else {
                    held.waiter.refused(why);
                }
            });
        }
    }

    /** A request left the wait (timed out or gone): a wake nobody waits for and that writes nothing is dropped. */
    private void leave(Held held) {
        Wake wake = held.wake;
        synchronized (wake) {
            wake.held.remove(held);
        }
        retireIfIdle(wake);
    }

    private void retireIfIdle(Wake wake) {
        synchronized (wake) {
            if (!wake.held.isEmpty() || wake.writing || wake.settled) {
                return;
            }
            wake.settled = true;
        }
        inFlight.remove(wake.key, wake);
    }

    /** Ready, with an address to send the request to. */
    private static boolean routable(RoutedSandbox sandbox) {
        var status = sandbox.getStatus();
        return status != null
                && Conditions.isTrue(status.getConditions(), Conditions.READY)
                && ((status.getPodIPs() != null && !status.getPodIPs().isEmpty())
                        || (status.getServiceFQDN() != null
                                && !status.getServiceFQDN().isEmpty()));
    }

    private static RouteRejection userSuspended(RoutedSandbox sandbox) {
        return new RouteRejection(
                409,
                "Sandbox " + sandbox.key() + " was suspended by a user while it woke; the router does not wake it.",
                0,
                RouteRejection.SUSPENDED);
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }

    /** The wake of one sandbox and the requests waiting for it; guarded by its own lock. */
    private static final class Wake {

        final String key;
        final List<Held> held = new ArrayList<>();
        /** Its write was started (it is never repeated). */
        boolean written;
        /** Its write is under way. */
        boolean writing;
        /** Over: its requests were released or refused; a later request starts a new one. */
        boolean settled;

        Wake(String key) {
            this.key = key;
        }
    }

    /** One request waiting. */
    private final class Held implements Hold {

        final Context context;
        final Waiter waiter;
        final long startNanos = System.nanoTime();
        private final AtomicBoolean done = new AtomicBoolean();
        Wake wake;
        long timer = -1;

        Held(Context context, Waiter waiter) {
            this.context = context;
            this.waiter = waiter;
        }

        boolean finish() {
            return done.compareAndSet(false, true);
        }

        @Override
        public void cancel() {
            if (finish()) {
                vertx.cancelTimer(timer);
                leave(this);
                metrics.wakeWait(RouterMetrics.WakeWait.ABANDONED, System.nanoTime() - startNanos);
            }
        }
    }
}
