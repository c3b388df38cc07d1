package dev.agentsandbox.local.kubelet;

/** Waits between tries that double from a first wait up to a ceiling; an interrupt ends a wait early. */
final class Backoff {

    private final long maxMillis;
    private long nextMillis;

    Backoff(long firstMillis, long maxMillis) {
        this.nextMillis = firstMillis;
        this.maxMillis = maxMillis;
    }

    /** How long the next {@link #pause} waits. */
    long nextMillis() {
        return nextMillis;
    }

    /** Waits, and doubles the next wait; an interrupt ends the wait and stays set on the thread. */
    void pause() {
        try {
            Thread.sleep(nextMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nextMillis = Math.min(nextMillis * 2, maxMillis);
    }
}
