package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A watch as its query asks for it, checked the way kube-apiserver checks it: where it starts, which objects it
 * selects, bookmarks, how long it lasts, and whether its objects are encoded as Tables.
 *
 * @param resource the collection watched (a path with a name watches that object only)
 * @param type the kind, null when the catalog does not know it
 * @param start what the watch sends before the changes
 * @param resourceVersion the version the changes follow ({@link Start#CHANGES_SINCE})
 * @param bookmarks {@code allowWatchBookmarks}
 * @param timeout when the server ends the watch
 * @param table whether the client asked for {@code meta.k8s.io/v1 Table} objects
 * @param includeObject the Table rows' {@code includeObject}
 * @param selected the namespace, name, label and field selectors
 */
record WatchRequest(
        ResourcePath resource,
        ResourceType type,
        Start start,
        long resourceVersion,
        boolean bookmarks,
        Duration timeout,
        boolean table,
        String includeObject,
        Predicate<JsonNode> selected) {

    /** What a watch sends before the changes that follow it. */
    enum Start {
        /** No resourceVersion, or "0": each object selected now as ADDED. */
        CURRENT_STATE,
        /** {@code sendInitialEvents=true}: each object selected now as ADDED, then a bookmark that marks their end. */
        INITIAL_EVENTS,
        /** A resourceVersion: the changes after it that the watch cache keeps. */
        CHANGES_SINCE,
        /** {@code sendInitialEvents=false} without a resourceVersion: nothing, the changes from now on. */
        CHANGES_FROM_NOW
    }

    /** Kubernetes' {@code --min-request-timeout}: a watch without timeoutSeconds ends after 1 to 2 times this. */
    static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMinutes(30);

    /** The watch {@code rp} asks for; a 400 or a 422 naming the parameter when the query is not one. */
    static WatchRequest of(ResourcePath rp, ResourceType type, boolean table) {
        Map<String, String> q = rp.query();
        String version = q.getOrDefault("resourceVersion", "");
        String sendInitialEvents = q.get("sendInitialEvents");
        checkVersionMatch(q.get("resourceVersionMatch"), sendInitialEvents);
        Start start;
        if ("true".equals(sendInitialEvents)) {
            start = Start.INITIAL_EVENTS;
        } else if (!version.isEmpty() && !version.equals("0")) {
            start = Start.CHANGES_SINCE;
        } else {
            start = sendInitialEvents == null ? Start.CURRENT_STATE : Start.CHANGES_FROM_NOW;
        }
        return new WatchRequest(
                rp,
                type,
                start,
                version.isEmpty() ? 0 : number("resourceVersion", version),
                "true".equals(q.get("allowWatchBookmarks")),
                timeout(q.get("timeoutSeconds")),
                table,
                q.get("includeObject"),
                selection(rp));
    }

    /** The checks of kube-apiserver's {@code ValidateListOptions} for a watch. */
    private static void checkVersionMatch(String match, String sendInitialEvents) {
        if (sendInitialEvents != null && !"NotOlderThan".equals(match)) {
            throw forbidden("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
        }
        if (match != null && !match.isEmpty() && !"NotOlderThan".equals(match)) {
            throw invalid(
                    "FieldValueNotSupported",
                    "Unsupported value: \"" + match + "\": supported values: \"NotOlderThan\"");
        }
        if (match != null && !match.isEmpty() && sendInitialEvents == null) {
            throw forbidden("resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
        }
    }

    private static Duration timeout(String seconds) {
        if (seconds != null && !seconds.isEmpty()) {
            return Duration.ofSeconds(Math.max(0, number("timeoutSeconds", seconds)));
        }
        long min = MIN_REQUEST_TIMEOUT.toSeconds();
        return Duration.ofSeconds(min + ThreadLocalRandom.current().nextLong(min));
    }

    private static Predicate<JsonNode> selection(ResourcePath rp) {
        Predicate<JsonNode> selected = Selectors.of(rp);
        if (rp.namespace() != null) {
            selected = selected.and(o ->
                    rp.namespace().equals(o.path("metadata").path("namespace").asText()));
        }
        if (rp.name() != null) {
            selected = selected.and(
                    o -> rp.name().equals(o.path("metadata").path("name").asText()));
        }
        return selected;
    }

    private static long number(String parameter, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            String what = parameter.equals("resourceVersion") ? "resource version" : parameter;
            throw new ApiException(400, "BadRequest", "invalid " + what + ": \"" + value + "\"");
        }
    }

    private static ApiException forbidden(String message) {
        return invalid("FieldValueForbidden", "Forbidden: " + message);
    }

    /** A 422 about {@code resourceVersionMatch}, worded as kube-apiserver words it. */
    private static ApiException invalid(String cause, String detail) {
        String field = "resourceVersionMatch";
        return new ApiException(
                422,
                "Invalid",
                "ListOptions.meta.k8s.io \"\" is invalid: " + field + ": " + detail,
                List.of(new ApiException.FieldCause(cause, detail, field)));
    }
}
