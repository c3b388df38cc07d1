package dev.agentsandbox.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's Prometheus metrics: requests by status with a latency histogram, in-flight exchanges, upstream
 * errors by kind, dropped access-log lines, and per sandbox the time of its last routed request
 * ({@code sandbox_router_last_request_seconds}, removed when the Sandbox is deleted) so idle sandboxes can be found.
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

    private final MeterRegistry registry;
    private final Clock clock;
    private final Timer[] byStatus = new Timer[600];
    private final Counter[] errors = new Counter[UpstreamError.values().length];
    private final AtomicInteger httpInFlight = new AtomicInteger();
    private final AtomicInteger webSockets = new AtomicInteger();
    private final AtomicInteger upstreamConnections = new AtomicInteger();
    private final Counter droppedLogLines;
    private final Map<String, AtomicLong> lastRequest = new ConcurrentHashMap<>();

    public RouterMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
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

    /** Stamps {@code sandbox} ({@code namespace/name}) as used now. */
    public void sandboxUsed(String sandbox) {
        AtomicLong last = lastRequest.get(sandbox);
        if (last == null) {
            last = lastRequest.computeIfAbsent(sandbox, this::registerLastRequest);
        }
        last.set(clock.millis());
    }

    /** Epoch milliseconds of the last request to {@code sandbox}, or 0 when none was seen. */
    public long lastRequestMillis(String sandbox) {
        AtomicLong last = lastRequest.get(sandbox);
        return last == null ? 0 : last.get();
    }

    /** Forgets a deleted sandbox, so the gauge does not outlive it. */
    public void sandboxRemoved(String sandbox) {
        if (lastRequest.remove(sandbox) != null) {
            registry.find("sandbox.router.last.request")
                    .tags(tags(sandbox))
                    .gauges()
                    .forEach(registry::remove);
        }
    }

    private AtomicLong registerLastRequest(String sandbox) {
        AtomicLong last = new AtomicLong();
        Gauge.builder("sandbox.router.last.request", last, l -> l.get() / 1000.0)
                .baseUnit("seconds")
                .description("Unix time of the last request routed to the sandbox")
                .tags(tags(sandbox))
                .strongReference(true)
                .register(registry);
        return last;
    }

    private static Tags tags(String sandbox) {
        int slash = sandbox.indexOf('/');
        return Tags.of("namespace", sandbox.substring(0, slash), "sandbox", sandbox.substring(slash + 1));
    }
}
