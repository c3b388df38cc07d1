package dev.agentsandbox.client;

/** Base of every error the sandbox client reports; the message names the object and the reason. */
public class SandboxClientException extends RuntimeException {

    public SandboxClientException(String message) {
        super(message);
    }

    public SandboxClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
