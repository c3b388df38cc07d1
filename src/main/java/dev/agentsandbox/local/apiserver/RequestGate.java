package dev.agentsandbox.local.apiserver;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The checks before a request is served: its bearer token, then the observers and faults set in {@link ApiFaults}. */
final class RequestGate {

    private final String token;
    private final ApiFaults faults;

    /** {@code token} null: every request is let in. */
    RequestGate(String token, ApiFaults faults) {
        this.token = token;
        this.faults = faults;
    }

    /** The reply of {@code serve}, unless the request lacks the token or an injected fault answers it instead. */
    MockResponse admit(RecordedRequest request, Supplier<MockResponse> serve) {
        if (token != null && !("Bearer " + token).equals(request.getHeader("Authorization"))) {
            return ApiStatus.reply(401, "Unauthorized", "Unauthorized");
        }
        String method = request.getMethod();
        String uri = request.getPath();
        faults.observed(request);
        Optional<ApiFault> fault = faults.next(method, uri);
        if (fault.isPresent() && fault.get().status() > 0) {
            ApiFault f = fault.get();
            String message = "injected fault " + f.status() + " for " + method + " " + uri;
            List<ApiException.FieldCause> causes =
                    f.cause() == null ? List.of() : List.of(new ApiException.FieldCause(f.cause(), message, null));
            return delayed(
                    ApiStatus.reply(new ApiException(f.status(), ApiStatus.reasonFor(f.status()), message, causes)), f);
        }
        MockResponse response = serve.get();
        return fault.map(f -> delayed(response, f)).orElse(response);
    }

    private static MockResponse delayed(MockResponse response, ApiFault fault) {
        if (!fault.delay().isZero() && response.getWebSocketListener() == null) {
            response.setBodyDelay(fault.delay());
            if (response.getBody() == null || response.getBody().size() == 0) {
                response.setBody("{}");
            }
        }
        return response;
    }
}
