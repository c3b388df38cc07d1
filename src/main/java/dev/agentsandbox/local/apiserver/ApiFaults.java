package dev.agentsandbox.local.apiserver;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The seam through which tests inject API faults into the embedded API server: conflicts, server errors,
 * unavailability and slow replies on chosen requests.
 */
public final class ApiFaults {

    private final List<ApiFault> rules = new CopyOnWriteArrayList<>();
    private final List<Consumer<RecordedRequest>> observers = new CopyOnWriteArrayList<>();
    private final AtomicInteger injected = new AtomicInteger();
    private final Random random;

    public ApiFaults() {
        this(new Random());
    }

    /** With a seeded random source, probabilistic faults repeat from run to run. */
    public ApiFaults(Random random) {
        this.random = random;
    }

    /** Adds a rule; rules are tried in the order they were added. */
    public ApiFault inject(ApiFault fault) {
        rules.add(fault);
        return fault;
    }

    public void remove(ApiFault fault) {
        rules.remove(fault);
    }

    /** Removes every rule (the count of injected faults stays). */
    public void clear() {
        rules.clear();
    }

    /**
     * Shows every authenticated request to {@code observer} before any fault applies, so a test can list the API
     * calls a component makes (for example to compare them with its RBAC role).
     */
    public void observe(Consumer<RecordedRequest> observer) {
        observers.add(observer);
    }

    public void stopObserving(Consumer<RecordedRequest> observer) {
        observers.remove(observer);
    }

    void observed(RecordedRequest request) {
        for (Consumer<RecordedRequest> observer : observers) {
            observer.accept(request);
        }
    }

    /** How many requests have been answered by a fault so far. */
    public int injectedCount() {
        return injected.get();
    }

    Optional<ApiFault> next(String method, String pathAndQuery) {
        for (ApiFault rule : rules) {
            if (rule.matches(method, pathAndQuery) && rule.fire(nextDouble())) {
                injected.incrementAndGet();
                if (rule.exhausted()) {
                    rules.remove(rule);
                }
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    private double nextDouble() {
        synchronized (random) {
            return random.nextDouble();
        }
    }
}
