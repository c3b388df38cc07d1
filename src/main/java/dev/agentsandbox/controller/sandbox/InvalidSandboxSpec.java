package dev.agentsandbox.controller.sandbox;

/** A Sandbox spec the controller cannot act on (for example an unparsable shutdownTime); the message names it. */
public class InvalidSandboxSpec extends RuntimeException {

    public InvalidSandboxSpec(String message, Throwable cause) {
        super(message, cause);
    }
}
