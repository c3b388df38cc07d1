package dev.agentsandbox.controller.sandbox;

/** An object the Sandbox needs exists but may not be used or adopted; the message names both and why. */
public class SandboxConflict extends RuntimeException {

    public SandboxConflict(String message) {
        super(message);
    }
}
