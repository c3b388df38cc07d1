package dev.agentsandbox.router;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the Sandbox cache (and the owner-token Secret, when used) is loaded: before that every route is 503. */
@Readiness
@ApplicationScoped
public class RouterReadiness implements HealthCheck {

    @Inject
    RouterLifecycle router;

    @Override
    public HealthCheckResponse call() {
        if (!router.active()) {
            return HealthCheckResponse.named("sandbox-router")
                    .up()
                    .withData("active", false)
                    .build();
        }
        return HealthCheckResponse.named("sandbox-router")
                .status(router.ready())
                .withData("active", true)
                .build();
    }
}
