package dev.agentsandbox.controller.claim;

import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.WithRealControlPlane;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link IdleSleepScenarios} on the real control plane: the scheduler, graceful Pod deletion, volume binding and the
 * garbage collector are the real ones.
 */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithRealControlPlane
class IdleSleepOnKubeIT extends IdleSleepScenarios {

    @Override
    boolean realControlPlane() {
        return true;
    }
}
