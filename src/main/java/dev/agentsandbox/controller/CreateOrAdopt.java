package dev.agentsandbox.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.UnaryOperator;

/**
 * Creates an object that an owner wants, or, when one of that name already exists, hands the live object to the
 * owner's decision: take it as its own (a stale cache), adopt it, realign it, or refuse it. Every owned object of
 * every reconciler is created this way.
 */
public final class CreateOrAdopt {
    private CreateOrAdopt() {}

    /** The object the owner ends up with (null when {@code whenExists} refused the live one), and whether it is new. */
    public record Result<T>(T object, boolean created) {}

    /**
     * The created object, or what {@code whenExists} makes of the live one. A conflict after which no object of that
     * name exists (deleted in between, or a conflict other than "already exists") is a failure: no event would bring
     * the owner back for an object outside its label-scoped cache, so the reconciler's backoff retries the create.
     */
    public static <T extends HasMetadata> Result<T> create(
            KubernetesClient client, T desired, UnaryOperator<T> whenExists) {
        KubernetesClientException conflict;
        try {
            return new Result<>(client.resource(desired).create(), true);
        } catch (KubernetesClientException e) {
            if (!ApiOutcomes.isConflict(e)) {
                throw e;
            }
            conflict = e;
        }
        T live = client.resource(desired).get();
        if (live == null) {
            throw new KubernetesClientException(
                    "creating " + desired.getKind() + " "
                            + desired.getMetadata().getName() + " met a conflict (409) but no such " + desired.getKind()
                            + " exists; retrying",
                    conflict);
        }
        return new Result<>(whenExists.apply(live), false);
    }
}
