package dev.agentsandbox.controller.sandbox;

/**
 * The API server refused to create one of a Sandbox's objects because the namespace is being deleted. The deletion
 * takes the Sandbox too, so this is no failure: nothing is retried, written or logged above debug level.
 */
class NamespaceTerminating extends RuntimeException {

    NamespaceTerminating(String message, Throwable cause) {
        super(message, cause);
    }
}
