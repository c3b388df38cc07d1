package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The gauge {@code agent_sandboxes{namespace,launch_type,sandbox_template}} (docs/api.md section 9): how many Sandboxes
 * exist, counted at scrape time from the Sandbox controller's informer cache, so it needs no bookkeeping of its own
 * and cannot drift. A label set is registered the first time a Sandbox with it is reconciled; it reads 0 once its
 * last Sandbox is gone.
 */
@ApplicationScoped
public class SandboxGauge {

    /** The Micrometer name; exported to Prometheus as {@code agent_sandboxes} (no base unit is appended). */
    public static final String METRIC = "agent.sandboxes";

    private final Set<Key> registered = ConcurrentHashMap.newKeySet();
    private volatile Supplier<Stream<Sandbox>> cache = Stream::empty;

    @Inject
    MeterRegistry registry;

    /** The tags of one series; a Sandbox without a launch type or template counts as {@code none}. */
    record Key(String namespace, String launchType, String template) {
        static Key of(Sandbox sandbox) {
            Map<String, String> labels = sandbox.getMetadata().getLabels() == null
                    ? Map.of()
                    : sandbox.getMetadata().getLabels();
            Map<String, String> annotations = sandbox.getMetadata().getAnnotations() == null
                    ? Map.of()
                    : sandbox.getMetadata().getAnnotations();
            return new Key(
                    sandbox.getMetadata().getNamespace(),
                    labels.getOrDefault(Labels.LAUNCH_TYPE, "none"),
                    annotations.getOrDefault(Labels.SANDBOX_TEMPLATE_REF, "none"));
        }
    }

    /** Called on every reconcile: remembers the cache to count from and registers the Sandbox's series. */
    public void observe(Sandbox sandbox, Supplier<Stream<Sandbox>> informerCache) {
        cache = informerCache;
        Key key = Key.of(sandbox);
        if (registered.add(key)) {
            Gauge.builder(METRIC, this, gauge -> gauge.count(key))
                    .description("Sandboxes that exist, by namespace, launch type and template")
                    .tag("namespace", key.namespace())
                    .tag("launch_type", key.launchType())
                    .tag("sandbox_template", key.template())
                    .register(registry);
        }
    }

    double count(Key key) {
        return cache.get()
                .filter(s -> s.getMetadata().getDeletionTimestamp() == null
                        && Key.of(s).equals(key))
                .count();
    }
}
