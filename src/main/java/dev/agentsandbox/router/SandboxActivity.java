package dev.agentsandbox.router;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * What this router saw of each sandbox's use: the time of its last request, and how many requests, streams and
 * WebSockets for it are still open. Written on the event loop (one map lookup and two atomic writes per request),
 * read by the {@link ActivityPublisher} and by the {@code sandbox_router_last_request_seconds} gauge.
 */
public final class SandboxActivity {

    private final Clock clock;
    private final boolean tracking;
    private final BiConsumer<String, AtomicLong> onFirstUse;
    private final Map<String, Use> bySandbox = new ConcurrentHashMap<>();

    /**
     * @param tracking false: only the last request's time is kept (for the gauge); open exchanges are not counted
     *     and nothing is published
     * @param onFirstUse called once per sandbox with its last-request time in epoch milliseconds (the gauge)
     */
    public SandboxActivity(Clock clock, boolean tracking, BiConsumer<String, AtomicLong> onFirstUse) {
        this.clock = clock;
        this.tracking = tracking;
        this.onFirstUse = onFirstUse;
    }

    /** One sandbox's use as this router saw it. */
    public static final class Use {

        final String sandbox;
        final AtomicLong lastMillis = new AtomicLong();
        final AtomicInteger open = new AtomicInteger();
        /** The newest activity known to be on the Sandbox (written by this router, or seen there). */
        volatile long publishedMillis;

        Use(String sandbox) {
            this.sandbox = sandbox;
        }

        /** The activity to publish at {@code nowMillis}: now while something is open, else the last request's end. */
        long activityAt(long nowMillis) {
            // open first: an exchange ending between the two reads has stamped its end before it decremented
            return open.get() > 0 ? nowMillis : lastMillis.get();
        }
    }

    /** A request (or WebSocket) for {@code sandbox} ({@code namespace/name}) has started; returns its use. */
    public Use opened(String sandbox) {
        Use use = bySandbox.get(sandbox);
        if (use == null) {
            use = bySandbox.computeIfAbsent(sandbox, this::firstUse);
        }
        if (tracking) {
            use.open.incrementAndGet();
        }
        use.lastMillis.set(clock.millis());
        return use;
    }

    /** What {@link #opened} started has ended: its end is the sandbox's latest activity. */
    public void closed(Use use) {
        if (tracking) {
            use.lastMillis.set(clock.millis());
            use.open.decrementAndGet();
        }
    }

    /** Whether activity is tracked and published at all ({@code sandbox.router.activity-tracking}). */
    public boolean tracking() {
        return tracking;
    }

    /** Epoch milliseconds of the last request to {@code sandbox}, or 0 when none was seen. */
    public long lastRequestMillis(String sandbox) {
        Use use = bySandbox.get(sandbox);
        return use == null ? 0 : use.lastMillis.get();
    }

    /** Requests, streams and WebSockets open for {@code sandbox} now. */
    public int open(String sandbox) {
        Use use = bySandbox.get(sandbox);
        return use == null ? 0 : use.open.get();
    }

    /** Forgets a deleted sandbox. */
    public void forget(String sandbox) {
        bySandbox.remove(sandbox);
    }

    Iterable<Use> uses() {
        return bySandbox.values();
    }

    Clock clock() {
        return clock;
    }

    private Use firstUse(String sandbox) {
        Use use = new Use(sandbox);
        onFirstUse.accept(sandbox, use.lastMillis);
        return use;
    }
}
