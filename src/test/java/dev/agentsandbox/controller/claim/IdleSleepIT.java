package dev.agentsandbox.controller.claim;

import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link IdleSleepScenarios} on the embedded API server. */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithEmbeddedApiServer
class IdleSleepIT extends IdleSleepScenarios {

    @Override
    boolean realControlPlane() {
        return false;
    }
}
