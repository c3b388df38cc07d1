package dev.agentsandbox.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's Prometheus metrics: requests by status with a latency histogram, in-flight exchanges, upstream
 * errors by kind, dropped access-log lines, per sandbox the time of its last routed request
 * ({@code sandbox_router_last_request_seconds}, removed when the Sandbox is deleted), and its writes to Sandboxes:
 * wakes, activity publications and how long requests waited for a wake.
 */
public final class RouterMetrics {

    /** Why a request to a sandbox failed. */
    public enum UpstreamError {
        CONNECT,
        TIMEOUT,
        RESET,
        /** Every allowed connection to the sandbox stayed busy (503). */
        BUSY
    }

    /** What became of one of the router's writes to a Sandbox. */
    public enum WriteResult {
        /** The patch went through. */
        WRITTEN,
        /** Nothing needed writing after a fresh read (another router, or the controller, was first). */
        SUPERSEDED,
        /** The API server refused or could not be reached. */
        FAILED;

        String tag() {
            return name().toLowerCase();
        }
    }

    /** How a request held for a waking sandbox left the wait. */
    public enum WakeWait {
        /** The sandbox became Ready; the request was forwarded. */
        FORWARDED,
        /** The wait ended first (503). */
        TIMEOUT,
        /** The wake could not be done, or the client went away. */
        ABANDONED
    }

    private final MeterRegistry registry;
    private final Timer[] byStatus = new Timer[600];
    private final Counter[] errors = new Counter[UpstreamError.values().length];
    private final AtomicInteger httpInFlight = new AtomicInteger();
    private final AtomicInteger webSockets = new AtomicInteger();
    private final AtomicInteger upstreamConnections = new AtomicInteger();
    private final Counter droppedLogLines;
    private final Counter[] wakes = new Counter[WriteResult.values().length];
    private final Counter[] activityWrites = new Counter[WriteResult.values().length];
    private final Timer[] wakeWaits = new Timer[WakeWait.values().length];

    public RouterMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sandbox.router.active.exchanges", httpInFlight, AtomicInteger::get)
                .tag("kind", "http")
                .description("HTTP requests being proxied right now")
                .register(registry);
        Gauge.builder("sandbox.router.active.exchanges", webSockets, AtomicInteger::get)
                .tag("kind", "websocket")
                .description("WebSocket connections being relayed right now")
                .register(registry);
        Gauge.builder("sandbox.router.upstream.connections", upstreamConnections, AtomicInteger::get)
                .description("Connections open from the router to sandboxes for HTTP, busy or idle in the pools")
                .register(registry);
        for (UpstreamError e : UpstreamError.values()) {
            errors[e.ordinal()] = Counter.builder("sandbox.router.upstream.errors")
                    .tag("kind", e.name().toLowerCase())
                    .description("Requests whose sandbox refused, reset or did not answer")
                    .register(registry);
        }
        for (WriteResult r : WriteResult.values()) {
            wakes[r.ordinal()] = Counter.builder("sandbox.router.wakes")
                    .tag("result", r.tag())
                    .description("Wakes of idle-suspended sandboxes the router asked for, by result")
                    .register(registry);
            activityWrites[r.ordinal()] = Counter.builder("sandbox.router.activity.writes")
                    .tag("result", r.tag())
                    .description("Publications of a sandbox's last-activity annotation, by result")
                    .register(registry);
        }
        for (WakeWait w : WakeWait.values()) {
            wakeWaits[w.ordinal()] = Timer.builder("sandbox.router.wake.wait")
                    .tag("outcome", w.name().toLowerCase())
                    .description("Time requests were held while their sandbox woke, by how the wait ended")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(10))
                    .maximumExpectedValue(Duration.ofSeconds(180))
                    .register(registry);
        }
        droppedLogLines = Counter.builder("sandbox.router.access.log.dropped")
                .description("Access log lines dropped because the writer fell behind")
                .register(registry);
    }

    public void requestStarted() {
        httpInFlight.incrementAndGet();
    }

    /** Records a finished request (also refused ones) with its status and duration. */
    public void requestFinished(int status, long nanos) {
        httpInFlight.decrementAndGet();
        int index = status >= 100 && status < 600 ? status : 0;
        Timer timer = byStatus[index];
        if (timer == null) {
            timer = Timer.builder("sandbox.router.requests")
                    .tag("status", Integer.toString(status))
                    .description("Requests answered by the router, by HTTP status")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(100_000))
                    .maximumExpectedValue(Duration.ofSeconds(180))
                    .register(registry);
            byStatus[index] = timer;
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A connection to a sandbox opened ({@code +1}) or closed ({@code -1}). */
    public void upstreamConnections(int delta) {
        upstreamConnections.addAndGet(delta);
    }

    public void webSocketOpened() {
        webSockets.incrementAndGet();
    }

    public void webSocketClosed() {
        webSockets.decrementAndGet();
    }

    /** HTTP exchanges being proxied now (relayed WebSockets not counted). */
    public int httpInFlight() {
        return httpInFlight.get();
    }

    public int inFlight() {
        return httpInFlight.get() + webSockets.get();
    }

    public void upstreamError(UpstreamError kind) {
        errors[kind.ordinal()].increment();
    }

    public void accessLogLineDropped() {
        droppedLogLines.increment();
    }

    /** Publishes {@code last} (epoch milliseconds of the last request to {@code sandbox}) as a gauge. */
    public void lastRequest(String sandbox, AtomicLong last) {
        Gauge.builder("sandbox.router.last.request", last, l -> l.get() / 1000.0)
                .baseUnit("seconds")
                .description("Unix time of the last request routed to the sandbox")
                .tags(tags(sandbox))
                .strongReference(true)
                .register(registry);
    }

    /** Forgets a deleted sandbox, so the gauge does not outlive it. */
    public void sandboxRemoved(String sandbox) {
        registry.find("sandbox.router.last.request")
                .tags(tags(sandbox))
                .gauges()
                .forEach(registry::remove);
    }

    /** A wake the router asked for: {@code written} when its patch went through, else why not. */
    public void wake(WriteResult result) {
        wakes[result.ordinal()].increment();
    }

    /** A publication of a sandbox's activity: {@code written}, or why nothing was written. */
    public void activityWrite(WriteResult result) {
        activityWrites[result.ordinal()].increment();
    }

    /** How long a request was held while its sandbox woke, and how the wait ended. */
    public void wakeWait(WakeWait outcome, long nanos) {
        wakeWaits[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    private static Tags tags(String sandbox) {
        int slash = sandbox.indexOf('/');
        return Tags.of("namespace", sandbox.substring(0, slash), "sandbox", sandbox.substring(slash + 1));
    }
}
