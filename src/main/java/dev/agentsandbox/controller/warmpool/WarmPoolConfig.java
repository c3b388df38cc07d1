package dev.agentsandbox.controller.warmpool;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the warm pool controller. */
@ConfigMapping(prefix = "sandbox.warm-pool")
public interface WarmPoolConfig {

    /** How long a member may stay not Ready before it is replaced (Unschedulable members are held instead). */
    @WithDefault("5m")
    Duration notReadyGracePeriod();

    /** The largest {@code spec.replicas} a pool may ask for; larger values are refused, not obeyed. */
    @WithDefault("1000")
    int maxReplicas();

    /** Members created per second and pool when refilling; 0 means no limit beyond slow start. */
    @WithDefault("0")
    double refillRatePerSecond();

    /** Creates in flight at once within one slow-start batch. */
    @WithDefault("16")
    int createParallelism();

    /** After this long, creates or deletes never seen in the cache are no longer waited for. */
    @WithDefault("2m")
    Duration expectationsTimeout();
}
