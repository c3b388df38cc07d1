package dev.agentsandbox.controller.sandbox;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Set;

/** The controller role with a clock tests can move ({@link MutableClock}); shared by the sandbox and template ITs. */
public class SandboxControllerTestProfile implements QuarkusTestProfile {

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(MutableClock.class);
    }
}
