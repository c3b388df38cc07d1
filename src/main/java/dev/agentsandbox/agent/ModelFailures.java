package dev.agentsandbox.agent;

import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns what a model call threw into the status and detail the caller sees: 504 for a timeout, 502 otherwise. */
public final class ModelFailures {

    private ModelFailures() {}

    public static AgentFailure classify(Throwable error, String model) {
        Throwable root = unwrap(error);
        if (root instanceof AgentFailure failure) {
            return failure;
        }
        if (isTimeout(root)) {
            return new AgentFailure(504, "model " + model + " did not answer in time: " + describe(root), root);
        }
        return new AgentFailure(502, "model " + model + " failed: " + describe(root), root);
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Timeouts arrive wrapped differently depending on where they hit (connect, read, the Vert.x client, langchain4j's
     * own mapping), so the whole cause chain is searched.
     */
    static boolean isTimeout(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof SocketTimeoutException
                    || e instanceof HttpTimeoutException
                    || e instanceof java.util.concurrent.TimeoutException
                    || e instanceof dev.langchain4j.exception.TimeoutException
                    || e.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        // Provider error bodies can be long; the caller needs the gist, the log has the rest.
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
