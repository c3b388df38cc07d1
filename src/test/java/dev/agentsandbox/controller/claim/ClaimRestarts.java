package dev.agentsandbox.controller.claim;

/** Test seam: lets a restart test outside this package make a claim reconciler forget its process state. */
public final class ClaimRestarts {

    private ClaimRestarts() {}

    /** What a process restart forgets; see {@link ClaimReconciler#forgetProcessState()}. */
    public static void forgetProcessState(ClaimReconciler reconciler) {
        reconciler.forgetProcessState();
    }
}
