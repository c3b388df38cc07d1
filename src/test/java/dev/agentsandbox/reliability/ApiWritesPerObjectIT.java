package dev.agentsandbox.reliability;

import static dev.agentsandbox.controller.claim.ClaimFixtures.claim;
import static dev.agentsandbox.controller.claim.ClaimFixtures.isReady;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.livePool;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.pool;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.local.apiserver.ApiFaults;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import dev.agentsandbox.testing.EmbeddedApi;
import dev.agentsandbox.testing.TestKubelet;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API writes the controllers make per pool member and per warm claim, counted on the embedded API server as
 * {@link ApiCalls} sees requests (the test's own client and kubelet are left out by their user agent). The bounds are
 * the counts measured before the reconcilers were restructured: a change that adds writes to either path fails here.
 */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithEmbeddedApiServer
class ApiWritesPerObjectIT {

    static final String NS = "api-writes";
    static final String TEST_AGENT = "api-writes-test-client";
    static final int MEMBERS = 10;
    static final int CLAIMS = 10;
    /**
     * Measured on the reconcilers before the structure change, over 5 runs: 7.4 to 8.6 writes per member (the pool's
     * and the Sandboxes' status writes depend on how events batch). Per warm claim with its refill, since a warm
     * adoption is recorded in the claim's status instead of committed before it (docs/api.md section 6.2): 14.1 to
     * 14.6 over 3 runs. The bounds leave that spread and no more: one more write per object on either path fails.
     */
    static final double MAX_WRITES_PER_MEMBER = 9.0;

    static final double MAX_WRITES_PER_WARM_CLAIM = 15.5;

    @EmbeddedApi
    EmbeddedApiServer server;

    @EmbeddedApi
    ApiFaults faults;

    KubernetesClient client;
    TestKubelet kubelet;
    final ControllerWrites writes = new ControllerWrites();

    @BeforeEach
    void start() {
        client = ApiCalls.clientIdentifiedAs(server, NS, TEST_AGENT);
        kubelet = new TestKubelet(client).start();
        faults.observe(writes);
    }

    @AfterEach
    void stop() {
        faults.stopObserving(writes);
        kubelet.close();
        client.close();
    }

    @Test
    void writesPerPoolMemberAndPerWarmClaimStayWithinTheirBounds() {
        client.resource(template(NS, "tpl", "agent:1")).create();
        // The template's own writes (its NetworkPolicy) are once per template, not per member.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> client.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(NS)
                                .list()
                                .getItems()
                                .size()
                        == 1);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> writes.quietFor(Duration.ofSeconds(1)));
        writes.reset();
        client.resource(pool(NS, "pool", "tpl", MEMBERS, null)).create();
        awaitPoolReadyAndQuiet();
        Map<String, Long> fill = writes.reset();
        double perMember = total(fill) / (double) MEMBERS;

        for (int i = 0; i < CLAIMS; i++) {
            String name = "claim-" + i;
            client.resource(claim(NS, name, "pool", "owner-" + i)).create();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> isReady(client.resources(SandboxClaim.class)
                            .inNamespace(NS)
                            .withName(name)
                            .get()));
        }
        awaitPoolReadyAndQuiet();
        Map<String, Long> claims = writes.reset();
        // Each warm claim took a member and the pool made a new one, so a claim's count includes its refill.
        double perWarmClaim = total(claims) / (double) CLAIMS;

        System.out.printf(
                "API-WRITES perMember=%.1f perWarmClaimWithRefill=%.1f%n  pool fill of %d: %s%n"
                        + "  %d warm claims and their refill: %s%n",
                perMember, perWarmClaim, MEMBERS, fill, CLAIMS, claims);
        assertThat(perMember).as("writes per pool member").isLessThanOrEqualTo(MAX_WRITES_PER_MEMBER);
        assertThat(perWarmClaim)
                .as("writes per warm claim, its refill included")
                .isLessThanOrEqualTo(MAX_WRITES_PER_WARM_CLAIM);
    }

    /** Waits for the pool to be full and Ready, then for a second without controller writes. */
    private void awaitPoolReadyAndQuiet() {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    SandboxWarmPool pool = livePool(client, NS, "pool");
                    return pool.getStatus() != null
                            && pool.getStatus().getReadyReplicas() != null
                            && pool.getStatus().getReadyReplicas() == MEMBERS;
                });
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> writes.quietFor(Duration.ofSeconds(1)));
    }

    private static long total(Map<String, Long> writes) {
        return writes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Counts the controllers' writes by verb and resource (events included: they are writes too). */
    static final class ControllerWrites implements Consumer<RecordedRequest> {
        private final Map<String, Long> counts = new ConcurrentHashMap<>();
        private final AtomicLong lastWrite = new AtomicLong(System.nanoTime());

        @Override
        public void accept(RecordedRequest request) {
            // Only this test's namespace: other test classes' objects live on in the same application.
            if (TEST_AGENT.equals(request.getHeader("User-Agent"))
                    || !request.getPath().contains("/namespaces/" + NS + "/")) {
                return;
            }
            ApiCalls.Call call = ApiCalls.parse(request.getMethod(), request.getPath());
            if (call == null || Map.of("get", 1, "list", 1, "watch", 1).containsKey(call.verb())) {
                return;
            }
            counts.merge(call.verb() + " " + call.resource(), 1L, Long::sum);
            lastWrite.set(System.nanoTime());
        }

        boolean quietFor(Duration quiet) {
            return System.nanoTime() - lastWrite.get() > quiet.toNanos();
        }

        /** The counts so far, sorted, and a fresh start. */
        synchronized Map<String, Long> reset() {
            Map<String, Long> snapshot = new TreeMap<>(counts);
            counts.clear();
            return snapshot;
        }
    }
}
