package dev.agentsandbox.router;

import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.client.Config;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link IdleWakeScenarios} on the embedded API server. */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithEmbeddedApiServer
class IdleWakeIT extends IdleWakeScenarios {

    @Override
    String namespace() {
        return "test";
    }

    @Override
    boolean realControlPlane() {
        return false;
    }

    @Override
    Config routerIdentity() {
        return null;
    }
}
