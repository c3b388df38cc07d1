package dev.agentsandbox.client;

import java.time.Duration;

/**
 * An idle-suspended sandbox was still waking when the client's time ran out: the router answered 503 with the state
 * {@code waking} to the last try. The wake goes on; a later request is answered once the sandbox is Ready.
 */
public class SandboxWakeTimeoutException extends RouterRejectedException {

    public SandboxWakeTimeoutException(ReadySandbox sandbox, Duration waited, String detail) {
        super(
                "sandbox " + sandbox.key() + " of owner " + sandbox.owner() + " is still waking from an idle "
                        + "suspension after " + waited.toSeconds() + " s (503 " + detail + "); try again shortly",
                503,
                detail);
    }
}
