package dev.agentsandbox.reliability;

import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ControllerGuarantees} on the embedded API server. */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithEmbeddedApiServer
class ControllerGuaranteesIT extends ControllerGuarantees {

    @Override
    boolean realControlPlane() {
        return false;
    }
}
