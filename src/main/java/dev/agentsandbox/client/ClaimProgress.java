package dev.agentsandbox.client;

import java.time.Duration;

/**
 * What happens while the client waits for a sandbox: its claim on the way to Ready, and an idle-suspended sandbox
 * being woken by a request. The command-line client prints these on stderr.
 */
public interface ClaimProgress {

    /** Ignores every event. */
    ClaimProgress SILENT = new ClaimProgress() {};

    /** The claim's Ready reason changed while it is not Ready yet (e.g. {@code WarmPoolNotFound}). */
    default void waiting(ClaimRef claim, String reason, String message) {}

    /** The claim is Ready, or asleep ({@link ReadySandbox#asleep()}). */
    default void ready(ReadySandbox sandbox) {}

    /**
     * A request is waking the idle-suspended sandbox (or was held while it woke); reported once per request, before
     * its answer is returned.
     */
    default void waking(ReadySandbox sandbox) {}

    /** The router's wait for the wake ran out (503, state {@code waking}); the request is sent again after this. */
    default void stillWaking(ReadySandbox sandbox, Duration retryIn) {}
}
