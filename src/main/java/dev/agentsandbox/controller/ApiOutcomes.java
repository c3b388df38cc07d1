package dev.agentsandbox.controller;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How every reconciler reads a refused API call, written once: a conflict (409) means "read again and retry", a
 * missing object (404) means "already gone", anything else is a failure whose message carries the server's reason.
 */
public final class ApiOutcomes {
    private static final int CONFLICT = 409;
    private static final int NOT_FOUND = 404;
    private static final int FORBIDDEN = 403;
    private static final String NAMESPACE_TERMINATING = "NamespaceTerminating";

    private ApiOutcomes() {}

    public static boolean isConflict(KubernetesClientException e) {
        return e.getCode() == CONFLICT;
    }

    public static boolean isNotFound(KubernetesClientException e) {
        return e.getCode() == NOT_FOUND;
    }

    /**
     * Whether a create was refused because its namespace is being deleted (403 with the cause NamespaceTerminating):
     * everything in that namespace is on its way out, so there is nothing to create and nothing to retry.
     */
    public static boolean isNamespaceTerminating(KubernetesClientException e) {
        return e.getCode() == FORBIDDEN
                && e.getStatus() != null
                && e.getStatus().getDetails() != null
                && e.getStatus().getDetails().getCauses() != null
                && e.getStatus().getDetails().getCauses().stream()
                        .anyMatch(c -> NAMESPACE_TERMINATING.equals(c.getReason()));
    }

    /** The server's reason, "409 Operation cannot be fulfilled on ...", or the client's message when there is none. */
    public static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getCode() + " " + e.getStatus().getMessage();
        }
        return e.getMessage();
    }

    /** Runs a write on an object that may have been deleted meanwhile: empty when it was (404). */
    public static <T> Optional<T> unlessGone(Supplier<T> write) {
        try {
            return Optional.ofNullable(write.get());
        } catch (KubernetesClientException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Runs a read-modify-write until it is not refused with a conflict, at most {@code attempts} times. Each attempt
     * must read the object again itself, so a retry never writes over a change it has not seen. After the last
     * conflict the failure names {@code what}.
     */
    public static <T> T retryOnConflict(int attempts, String what, Supplier<T> attempt) {
        KubernetesClientException last = null;
        for (int i = 0; i < attempts; i++) {
            try {
                return attempt.get();
            } catch (KubernetesClientException e) {
                if (!isConflict(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw new KubernetesClientException(what + ": not written after " + attempts + " conflicts", last);
    }
}
