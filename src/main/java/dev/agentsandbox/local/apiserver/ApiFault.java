package dev.agentsandbox.local.apiserver;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * One injected API fault: requests whose method and path match are answered with an error status, or delayed.
 * Build with {@code ApiFault.on("PATCH", ".*&#47;sandboxes/.*").respond(409).times(1)}.
 */
public final class ApiFault {

    private final String method;
    private final Pattern path;
    private final int status;
    private final String cause;
    private final Duration delay;
    private final double probability;
    private final AtomicInteger remaining;

    private ApiFault(
            String method, Pattern path, int status, String cause, Duration delay, double probability, int times) {
        this.method = method;
        this.path = path;
        this.status = status;
        this.cause = cause;
        this.delay = delay;
        this.probability = probability;
        this.remaining = new AtomicInteger(times);
    }

    /**
     * Starts a rule for requests with this method ({@code null} or {@code "*"} for any) whose path, including the
     * query string, matches the regular expression in full.
     */
    public static Builder on(String method, String pathRegex) {
        return new Builder(
                method == null || method.equals("*") ? null : method.toUpperCase(Locale.ROOT),
                Pattern.compile(pathRegex));
    }

    /** The status code the matching request gets, or 0 when this fault only delays it. */
    public int status() {
        return status;
    }

    /** The reason of the Status's one cause ({@code details.causes[0].reason}), or null for none. */
    public String cause() {
        return cause;
    }

    /** How long the reply to a matching request is held back ({@link Duration#ZERO} for none). */
    public Duration delay() {
        return delay;
    }

    boolean matches(String requestMethod, String requestPath) {
        return (method == null || method.equals(requestMethod))
                && path.matcher(requestPath).matches();
    }

    /** Consumes one use of this fault, if any is left and the dice allow it. */
    boolean fire(double dice) {
        if (dice >= probability) {
            return false;
        }
        while (true) {
            int left = remaining.get();
            if (left == 0) {
                return false;
            }
            if (left < 0 || remaining.compareAndSet(left, left - 1)) {
                return true;
            }
        }
    }

    boolean exhausted() {
        return remaining.get() == 0;
    }

    @Override
    public String toString() {
        return (method == null ? "*" : method) + " " + path + " -> "
                + (status > 0 ? String.valueOf(status) : "delay " + delay.toMillis() + "ms")
                + (probability < 1 ? " p=" + probability : "")
                + (remaining.get() >= 0 ? " x" + remaining.get() : "");
    }

    /** Completes a fault rule. */
    public static final class Builder {
        private final String method;
        private final Pattern path;
        private int status;
        private String cause;
        private Duration delay = Duration.ZERO;
        private double probability = 1.0;
        private int times = -1;

        private Builder(String method, Pattern path) {
            this.method = method;
            this.path = path;
        }

        /** Answers matching requests with this HTTP status (for example 409, 500, 503) as a Kubernetes Status. */
        public Builder respond(int httpStatus) {
            if (httpStatus < 400 || httpStatus > 599) {
                throw new IllegalArgumentException(
                        "a fault answers with an error status (4xx or 5xx), not " + httpStatus);
            }
            this.status = httpStatus;
            return this;
        }

        /**
         * Gives the error Status one cause with this reason, as the API server does for some refusals (for example
         * {@code NamespaceTerminating} for a create in a namespace being deleted).
         */
        public Builder because(String causeReason) {
            this.cause = causeReason;
            return this;
        }

        /** Holds back the reply to matching requests (without blocking the server). */
        public Builder delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        /** Applies the fault to this fraction of matching requests (0..1); all of them by default. */
        public Builder probability(double p) {
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("probability must be within 0..1, not " + p);
            }
            this.probability = p;
            return this;
        }

        /** Applies the fault at most this many times; forever by default. */
        public ApiFault times(int n) {
            this.times = n;
            return build();
        }

        public ApiFault always() {
            this.times = -1;
            return build();
        }

        private ApiFault build() {
            if (status == 0 && delay.isZero()) {
                throw new IllegalArgumentException("a fault needs a status to respond with or a delay");
            }
            return new ApiFault(method, path, status, cause, delay, probability, times);
        }
    }
}
