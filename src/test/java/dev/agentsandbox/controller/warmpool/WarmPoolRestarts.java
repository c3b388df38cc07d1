package dev.agentsandbox.controller.warmpool;

/** Test seam: lets a restart test outside this package make a pool reconciler forget its process state. */
public final class WarmPoolRestarts {

    private WarmPoolRestarts() {}

    /** What a process restart forgets; see {@link WarmPoolReconciler#forgetProcessState()}. */
    public static void forgetProcessState(WarmPoolReconciler reconciler) {
        reconciler.forgetProcessState();
    }
}
