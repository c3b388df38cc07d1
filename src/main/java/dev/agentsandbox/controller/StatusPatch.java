package dev.agentsandbox.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import org.jboss.logging.Logger;

/**
 * How every reconciler writes the status of its own object, and only when it changed. The status is sent as one JSON
 * Patch operation that sets it whole ({@code add /status}), by default without a resourceVersion: each controller is the
 * only writer of its objects' status, so nothing another writer put there is lost, and a concurrent change of the spec
 * or metadata is no conflict. The operator SDK's own status patch ({@code UpdateControl.patchStatus} without server-side
 * apply) copies the object and diffs the two copies to compute its patch; that was 13 % of the controller's CPU with
 * claims one after another (docs/benchmarks.md). Here the status is serialized once, for the comparison and the patch
 * alike. As with the SDK's patch, the written object goes to the SDK's cache and the event of this write does not
 * reconcile it again, so the next pass compares with what was written.
 */
public final class StatusPatch {

    private static final Logger LOG = Logger.getLogger(StatusPatch.class);

    private StatusPatch() {}

    /**
     * Writes {@code status} as the status of {@code primary} unless it equals {@code current}; true when written, false
     * when unchanged or when the object was deleted meanwhile (404).
     */
    public static <P extends HasMetadata> boolean writeIfChanged(
            Context<P> context, P primary, Object current, Object status) {
        return write(context, primary, current, status, false);
    }

    /**
     * As {@link #writeIfChanged}, but only onto the resourceVersion of {@code primary}: for a status that records a
     * decision (the claim's Sandbox), which must not overwrite one a concurrent writer recorded. A stale
     * {@code primary} gets a 409 Conflict.
     */
    public static <P extends HasMetadata> boolean writeIfChangedLocked(
            Context<P> context, P primary, Object current, Object status) {
        return write(context, primary, current, status, true);
    }

    private static <P extends HasMetadata> boolean write(
            Context<P> context, P primary, Object current, Object status, boolean locked) {
        String json = Serialization.asJson(status);
        if (json.equals(Serialization.asJson(current))) {
            return false;
        }
        String patch = jsonPatch(primary, json, locked);
        boolean written = ApiOutcomes.unlessGone(() -> context.resourceOperations()
                        .resourcePatch(
                                primary,
                                p -> context.getClient()
                                        .resource(ObjectHandle.of(p))
                                        .subresource("status")
                                        .patch(PatchContext.of(PatchType.JSON), patch),
                                context.eventSourceRetriever().getControllerEventSource()))
                .isPresent();
        if (!written) {
            // deleted meanwhile (a namespace being deleted takes its objects while their reconciles run): its delete
            // event ends its reconciles, so this is no failure to retry and log
            LOG.debugf("%s %s: gone before its status was written", primary.getKind(), ObjectKey.of(primary));
        }
        return written;
    }

    /**
     * The JSON Patch that sets the status to {@code statusJson}; when {@code locked}, it first sets the resourceVersion
     * of {@code primary}, which the API server then requires to be the stored one (a 409 Conflict otherwise).
     */
    public static String jsonPatch(HasMetadata primary, String statusJson, boolean locked) {
        String lock = locked
                ? "{\"op\":\"add\",\"path\":\"/metadata/resourceVersion\",\"value\":"
                        + Serialization.asJson(primary.getMetadata().getResourceVersion()) + "},"
                : "";
        return "[" + lock + "{\"op\":\"add\",\"path\":\"/status\",\"value\":" + statusJson + "}]";
    }

    /** Whether two statuses are the same: equal in their JSON form, which is what would be written. */
    public static boolean same(Object a, Object b) {
        return Serialization.asJson(a).equals(Serialization.asJson(b));
    }
}
