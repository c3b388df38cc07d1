package dev.agentsandbox.controller;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Writes that record a fact and that nothing waits for (Events, the claim's first-Ready stamp), run by a few threads
 * of their own, each no earlier than {@link #DELAY} after it was handed over. The delay keeps them out of the way of
 * the writes that someone does wait for: a reconcile hands them over in the middle of its work, and the write its
 * object's Ready waits for (a claim's status patch) is sent after the reconcile returns. Started at once, they took
 * CPU time and API requests from exactly that write (docs/benchmarks.md, "Controllers on a real API server"). The
 * number waiting is bounded: beyond it, a write is dropped with a warning.
 */
public final class DeferredWrites {

    /** Long enough for a reconcile on a busy machine to send its own writes first; short for a human reader. */
    public static final Duration DELAY = Duration.ofMillis(300);

    private static final Logger LOG = Logger.getLogger(DeferredWrites.class);

    private final String name;
    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledThreadPoolExecutor threads;

    public DeferredWrites(String name, int threads, int capacity) {
        this.name = name;
        this.capacity = capacity;
        this.threads = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        this.threads.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code write} after {@link #DELAY}; a write that throws is the caller's to log inside {@code write}. */
    public void submit(Runnable write) {
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            LOG.warnf("more than %d %s writes waiting; one was dropped", capacity, name);
            return;
        }
        threads.schedule(
                () -> {
                    waiting.decrementAndGet();
                    write.run();
                },
                DELAY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Lets what is waiting be written (after its delay) for at most {@code limit}; takes no more writes. */
    public void drain(Duration limit) throws InterruptedException {
        threads.shutdown();
        threads.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS);
    }
}
