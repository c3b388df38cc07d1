package dev.agentsandbox.controller.sandbox;

/** A failed API call, with a message naming the Sandbox, the object and the server's reason. */
public class SandboxApiException extends RuntimeException {

    public SandboxApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
