package dev.agentsandbox.client;

/**
 * The router answered 409: a user suspended the sandbox (not the idle policy), and the router does not wake it. Only
 * setting the Sandbox's {@code spec.operatingMode} back to {@code Running} resumes it.
 */
public class SandboxSuspendedException extends RouterRejectedException {

    public SandboxSuspendedException(ReadySandbox sandbox, String detail) {
        super(
                "sandbox " + sandbox.key() + " of owner " + sandbox.owner() + " was suspended by a user, not for "
                        + "being idle, so the router does not wake it (409 " + detail + "); set its "
                        + "spec.operatingMode to Running to resume it",
                409,
                detail);
    }
}
