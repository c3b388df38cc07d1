package dev.agentsandbox.controller.claim;

/** The test seam for restart simulations outside this package: what a restart makes a claim reconciler forget. */
public final class ClaimProcessState {

    private ClaimProcessState() {}

    public static void forget(ClaimReconciler reconciler) {
        reconciler.forgetProcessState();
    }
}
