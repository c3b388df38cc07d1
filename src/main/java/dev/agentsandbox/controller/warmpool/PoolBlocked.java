package dev.agentsandbox.controller.warmpool;

/**
 * Why a pool cannot be scaled now. {@link WarmPoolStatusFactory#blocked} maps each kind to the reason of the pool's
 * conditions; the message names the pool.
 */
final class PoolBlocked extends Exception {

    /** The kinds of blockage, each with its own condition reason. */
    enum Kind {
        /** {@code spec.sandboxTemplateRef} names no template: {@code Ready=False/TemplateNotFound}. */
        TEMPLATE_NOT_FOUND,
        /** The template cannot be turned into members: {@code Ready=False/ReconcilerError}. */
        INVALID_TEMPLATE,
        /** {@code spec.replicas} is above the configured limit: {@code ReplicasAccepted=False/ReplicasAboveLimit}. */
        ABOVE_LIMIT
    }

    private final Kind kind;

    PoolBlocked(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
