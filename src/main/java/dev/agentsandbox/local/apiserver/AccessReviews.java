package dev.agentsandbox.local.apiserver;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Map;

/**
 * Self-access reviews: the embedded API server has no RBAC (every holder of its token may do everything, as a
 * cluster admin on a real cluster), so it says so to callers that ask first. The operator SDK's leader election asks
 * with a SelfSubjectRulesReview before it takes a Lease.
 */
final class AccessReviews {

    static final String PREFIX = "/apis/authorization.k8s.io/v1/";

    private AccessReviews() {}

    @SuppressWarnings("unchecked")
    static MockResponse answer(String path, String body) {
        Map<String, Object> review = body == null || body.isBlank()
                ? new java.util.LinkedHashMap<>()
                : Serialization.unmarshal(body, Map.class);
        if (path.endsWith("/selfsubjectrulesreviews")) {
            review.put(
                    "status",
                    Map.of(
                            "incomplete",
                            false,
                            "resourceRules",
                            List.of(Map.of(
                                    "verbs", List.of("*"), "apiGroups", List.of("*"), "resources", List.of("*"))),
                            "nonResourceRules",
                            List.of(Map.of("verbs", List.of("*"), "nonResourceURLs", List.of("*")))));
        } else if (path.endsWith("/selfsubjectaccessreviews") || path.endsWith("/subjectaccessreviews")) {
            review.put("status", Map.of("allowed", true, "reason", "the embedded API server has no RBAC"));
        } else {
            return ApiStatus.reply(404, "NotFound", "the server could not find the requested resource (" + path + ")");
        }
        review.putIfAbsent("apiVersion", "authorization.k8s.io/v1");
        review.putIfAbsent("metadata", Map.of());
        return ApiStatus.json(201, Serialization.asJson(review));
    }
}
