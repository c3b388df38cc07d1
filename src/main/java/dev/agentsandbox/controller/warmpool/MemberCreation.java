package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Creates a pool's new members in slow-start batches on a small thread pool, each create expected before it is sent
 * (see {@link Expectations}), so the pool is not scaled again until the cache shows them.
 */
final class MemberCreation {

    private static final Logger LOG = Logger.getLogger(MemberCreation.class);

    private final KubernetesClient client;
    private final Expectations expectations;
    private final WarmPoolMetrics metrics;
    private final int parallelism;
    private final ExecutorService creators;

    MemberCreation(KubernetesClient client, Expectations expectations, WarmPoolMetrics metrics, int parallelism) {
        this.client = client;
        this.expectations = expectations;
        this.metrics = metrics;
        this.parallelism = Math.max(1, parallelism);
        AtomicInteger threads = new AtomicInteger();
        this.creators = Executors.newFixedThreadPool(this.parallelism, r -> {
            Thread t = new Thread(r, "warm-pool-create-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates up to {@code count} members; a failed batch ends the run and the next pass tries again. */
    void create(SandboxWarmPool pool, String key, TemplateBlueprint blueprint, int count) {
        if (count <= 0) {
            return;
        }
        AtomicInteger created = new AtomicInteger();
        expectations.expectCreations(key, count);
        int made = SlowStart.run(count, parallelism, creators, ordinal -> {
            try {
                client.resource(WarmPoolMembers.desired(pool, blueprint)).create();
                created.incrementAndGet();
                return true;
            } catch (KubernetesClientException e) {
                expectations.creationObserved(key);
                LOG.warnf("warm pool %s: creating a member failed: %s", key, ApiOutcomes.reason(e));
                return false;
            }
        });
        for (int i = made; i < count; i++) {
            expectations.creationObserved(key); // never sent
        }
        metrics.created(pool.getMetadata().getNamespace(), pool.getMetadata().getName(), created.get());
        LOG.infof("warm pool %s: created %d of %d member(s)", key, created.get(), count);
    }

    void close() {
        creators.shutdownNow();
    }
}
