package dev.agentsandbox.client;

/** What happens to a claim while the client waits for it; the command-line client prints these on stderr. */
public interface ClaimProgress {

    /** Ignores every event. */
    ClaimProgress SILENT = new ClaimProgress() {};

    /** The claim's Ready reason changed while it is not Ready yet (e.g. {@code WarmPoolNotFound}). */
    default void waiting(ClaimRef claim, String reason, String message) {}

    /** The claim is Ready. */
    default void ready(ReadySandbox sandbox) {}
}
