package dev.agentsandbox.reliability;

import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.WithRealControlPlane;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ControllerGuarantees} on the real control plane (kube-apiserver, etcd, controller-manager, scheduler). */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithRealControlPlane
class ControllerGuaranteesOnKubeIT extends ControllerGuarantees {

    @Override
    boolean realControlPlane() {
        return true;
    }
}
