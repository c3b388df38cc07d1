package dev.agentsandbox.client;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Java SDK for owner-aware sandboxes: claims a sandbox from a warm pool for an owner, waits until it is Ready,
 * talks to its agent through the router, and cleans up. Plain Java; no CDI needed.
 *
 * <pre>{@code
 * try (KubernetesClient kube = new KubernetesClientBuilder().build()) {
 *     SandboxClient client = SandboxClient.builder(kube)
 *             .router(URI.create("http://127.0.0.1:8080"), RouterTokens.shared(token)).build();
 *     ChatReply reply = client.chat("alice", "hello");
 * }
 * }</pre>
 *
 * Claims from {@link #createClaim} belong to this client object: {@link #deleteCreatedClaims()} and
 * {@link #deleteOnShutdown()} remove them. Claims from {@link #getOrCreateClaim} are kept for reuse across runs
 * and are removed only by {@link #deleteClaim} or {@link #deleteOwnerClaims}.
 */
public final class SandboxClient {

    public static final String DEFAULT_NAMESPACE = "sandbox-agent-demo";
    public static final String DEFAULT_WARM_POOL = "kata-aks-warmpool";
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);

    private final KubernetesClient kube;
    private final String namespace;
    private final String warmPool;
    private final Duration readyTimeout;
    private final RouterClient router;
    private final Clock clock;
    private final ClaimWatch watch;
    private final Set<ClaimRef> created = ConcurrentHashMap.newKeySet();

    private SandboxClient(Builder b) {
        this.kube = Objects.requireNonNull(b.kube, "kubernetes client");
        this.namespace = b.namespace;
        this.warmPool = b.warmPool;
        this.readyTimeout = b.readyTimeout;
        this.router = b.router;
        this.clock = b.clock;
        this.watch = new ClaimWatch(kube);
    }

    public static Builder builder(KubernetesClient kube) {
        return new Builder(kube);
    }

    public String namespace() {
        return namespace;
    }

    public String warmPool() {
        return warmPool;
    }

    // ----- claims -----------------------------------------------------------------------------------------------

    /**
     * Creates a new claim for {@code owner}; it belongs to this client until deleted. The name is chosen here rather
     * than by {@code generateName}, so that the claim is known to the shutdown cleanup before it exists: a Ctrl-C
     * during the create cannot leave it behind.
     */
    public ClaimRef createClaim(String owner) {
        Owner who = new Owner(owner);
        for (int attempt = 1; ; attempt++) {
            Instant requestedAt = clock.instant();
            ClaimRef ref = new ClaimRef(who, namespace, ClaimRequest.oneShotName(who), true, requestedAt);
            created.add(ref);
            try {
                create(ClaimRequest.build(who, namespace, ref.name(), warmPool, requestedAt));
                return ref;
            } catch (SandboxClientException e) {
                created.remove(ref);
                boolean nameTaken = e.getCause() instanceof KubernetesClientException k && k.getCode() == 409;
                if (!nameTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The owner's kept claim, created if there is none. Found by the labels {@code agents.x-k8s.io/owner} and
     * {@code agents.x-k8s.io/created-by=java-client}, so reuse needs no local state.
     */
    public ClaimRef getOrCreateClaim(String owner) {
        Owner who = new Owner(owner);
        Optional<ClaimRef> existing = findClaim(who);
        if (existing.isPresent()) {
            return existing.get();
        }
        Instant requestedAt = clock.instant();
        try {
            SandboxClaim claim =
                    create(ClaimRequest.build(who, namespace, ClaimRequest.keptName(who), warmPool, requestedAt));
            return new ClaimRef(who, namespace, claim.getMetadata().getName(), true, requestedAt);
        } catch (SandboxClientException e) {
            if (!(e.getCause() instanceof KubernetesClientException k && k.getCode() == 409)) {
                throw e;
            }
            // Another run created the kept claim between our lookup and our create: use theirs, if it is this
            // owner's (the name is predictable, so someone else may have taken it).
            SandboxClaim taken = getClaim(ClaimRequest.keptName(who));
            Map<String, String> labels =
                    Optional.ofNullable(taken.getMetadata().getLabels()).orElse(Map.of());
            if (!labels.entrySet().containsAll(ClaimRequest.ownerSelector(who).entrySet())) {
                throw new SandboxClientException("claim " + namespace + "/" + ClaimRequest.keptName(who)
                        + " exists but is not owner " + who + "'s claim made by this client (labels " + labels + ")");
            }
            return ref(who, taken, false);
        }
    }

    /**
     * The owner's kept claim, if there is one. Selected by the owner and created-by labels, then by the kept name:
     * one-shot claims carry the same labels but belong to the run that made them and vanish with it.
     */
    public Optional<ClaimRef> findClaim(String owner) {
        return findClaim(new Owner(owner));
    }

    private Optional<ClaimRef> findClaim(Owner owner) {
        return ownerClaims(owner).stream()
                .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
                .filter(c -> ClaimRequest.keptName(owner).equals(c.getMetadata().getName()))
                .findFirst()
                .map(c -> ref(owner, c, false));
    }

    /** Reads a claim; {@link ClaimNotFoundException} when the API server answers 404. */
    public SandboxClaim getClaim(String name) {
        try {
            SandboxClaim claim = claims().withName(name).get();
            if (claim == null) {
                throw new ClaimNotFoundException(namespace, name, "not found");
            }
            return claim;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new ClaimNotFoundException(namespace, name, "not found");
            }
            throw apiError("claim " + namespace + "/" + name, "read", e);
        }
    }

    /** Waits, with the default timeout, until the claim is Ready. */
    public ReadySandbox awaitReady(ClaimRef claim) {
        return awaitReady(claim, readyTimeout, ClaimProgress.SILENT);
    }

    /**
     * Waits until the claim is Ready (condition Ready True and {@code status.sandbox.name} set) by watching it. A
     * claim whose sandbox the idle policy suspended is returned at once, {@link ReadySandbox#asleep() asleep}: the
     * first request through the router wakes it.
     *
     * @throws ClaimTimeoutException when the timeout passes, with the controller's last reason
     * @throws ClaimFailedException at once when the claim reaches a reason that does not heal
     * @throws SandboxSuspendedException at once when a user suspended the claim's sandbox
     * @throws ClaimNotFoundException when the claim does not exist or is deleted while waiting
     */
    public ReadySandbox awaitReady(ClaimRef claim, Duration timeout, ClaimProgress progress) {
        ClaimState state = watch.awaitReady(claim, timeout, progress);
        Instant readyAt = clock.instant();
        Optional<Sandbox> sandbox = sandbox(state.sandbox());
        // the claim's status may lag behind the idle policy's write on the Sandbox
        boolean asleep = state.phase() == ClaimState.Phase.ASLEEP
                || sandbox.map(SandboxSleep::forIdle).orElse(false);
        ReadySandbox ready =
                new ReadySandbox(claim, state.sandbox(), launchType(sandbox), readyMillis(claim, readyAt), asleep);
        progress.ready(ready);
        return ready;
    }

    /** Deletes one claim; {@link ClaimNotFoundException} when there is none by that name. */
    public void deleteClaim(String name) {
        boolean found;
        try {
            found = !claims().withName(name).delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                // Still ours to clean up: a later attempt (the shutdown hook) may succeed.
                throw apiError("claim " + namespace + "/" + name, "delete", e);
            }
            found = false;
        }
        created.removeIf(ref -> ref.name().equals(name));
        if (!found) {
            throw new ClaimNotFoundException(namespace, name, "not found");
        }
    }

    /** Deletes every claim of {@code owner} made by this client (kept and leftover one-shot ones); their names. */
    public List<String> deleteOwnerClaims(String owner) {
        List<String> deleted = new ArrayList<>();
        for (SandboxClaim claim : ownerClaims(new Owner(owner))) {
            try {
                deleteClaim(claim.getMetadata().getName());
                deleted.add(claim.getMetadata().getName());
            } catch (ClaimNotFoundException e) {
                // Deleted by someone else meanwhile: the goal is reached.
            }
        }
        return deleted;
    }

    /** Deletes every claim this client object created with {@link #createClaim}; the names deleted. */
    public List<String> deleteCreatedClaims() {
        List<String> deleted = new ArrayList<>();
        for (ClaimRef ref : List.copyOf(created)) {
            try {
                deleteClaim(ref.name());
                deleted.add(ref.name());
            } catch (ClaimNotFoundException e) {
                // Already gone.
            }
        }
        return deleted;
    }

    /** The claims this client created and has not deleted yet. */
    public Set<ClaimRef> createdClaims() {
        return Set.copyOf(created);
    }

    /** A thread that deletes this client's claims; register it as a JVM shutdown hook for one-shot use. */
    public Thread shutdownCleanup() {
        return new Thread(
                () -> {
                    try {
                        deleteCreatedClaims();
                    } catch (RuntimeException e) {
                        System.err.println("could not delete claims on exit: " + e.getMessage());
                    }
                },
                "sandbox-claim-cleanup");
    }

    /** Registers {@link #shutdownCleanup()} with the JVM (Ctrl-C, SIGTERM, normal exit); returns the hook. */
    public Thread deleteOnShutdown() {
        Thread hook = shutdownCleanup();
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    // ----- talking to the agent ---------------------------------------------------------------------------------

    /** Sends a prompt to the owner's kept sandbox, claiming and waiting for it first if needed. */
    public ChatReply chat(String owner, String prompt) {
        return chat(awaitReady(getOrCreateClaim(owner)), prompt);
    }

    public ChatReply chat(ReadySandbox sandbox, String prompt) {
        return router().chat(sandbox, prompt);
    }

    /** Sends a prompt, telling {@code progress} when the chat wakes the sandbox; the result says whether it did. */
    public ChatResult chat(ReadySandbox sandbox, String prompt, ClaimProgress progress) {
        return router().chat(sandbox, prompt, progress);
    }

    /** Clears the conversation history of the owner's kept sandbox. */
    public void reset(String owner) {
        Owner who = new Owner(owner);
        ClaimRef claim = findClaim(who)
                .orElseThrow(() -> new ClaimNotFoundException(
                        namespace, ClaimRequest.keptName(who), "owner " + who + " has no claim to reset"));
        reset(awaitReady(claim));
    }

    public void reset(ReadySandbox sandbox) {
        router().reset(sandbox);
    }

    public RouterClient router() {
        if (router == null) {
            throw new IllegalStateException("no router configured: build the SandboxClient with router(...)");
        }
        return router;
    }

    // ----- internals --------------------------------------------------------------------------------------------

    private NonNamespaceOperation<SandboxClaim, KubernetesResourceList<SandboxClaim>, Resource<SandboxClaim>> claims() {
        return kube.resources(SandboxClaim.class).inNamespace(namespace);
    }

    private SandboxClaim create(SandboxClaim claim) {
        try {
            return claims().resource(claim).create();
        } catch (KubernetesClientException e) {
            throw apiError("claim " + namespace + "/" + claim.getMetadata().getName(), "create", e);
        }
    }

    private List<SandboxClaim> ownerClaims(Owner owner) {
        try {
            return claims().withLabels(ClaimRequest.ownerSelector(owner)).list().getItems();
        } catch (KubernetesClientException e) {
            throw apiError("claims of owner " + owner + " in namespace " + namespace, "list", e);
        }
    }

    private ClaimRef ref(Owner owner, SandboxClaim claim, boolean createdNow) {
        return new ClaimRef(
                owner,
                namespace,
                claim.getMetadata().getName(),
                createdNow,
                ClaimRequest.instant(claim, Labels.CLIENT_FIRST_REQUESTED_AT));
    }

    /** The Sandbox, if it can be read: what it says is informative, and a client may read claims but not Sandboxes. */
    private Optional<Sandbox> sandbox(String name) {
        try {
            return Optional.ofNullable(kube.resources(Sandbox.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get());
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
    }

    private static String launchType(Optional<Sandbox> sandbox) {
        return sandbox.map(HasMetadata::getMetadata)
                .map(m -> m.getLabels())
                .map((Map<String, String> labels) -> labels.get(Labels.LAUNCH_TYPE))
                .orElse(null);
    }

    /**
     * Measured on this client's clock when it created the claim; for a claim found again, from the controller's
     * {@code claim-first-ready-at} minus {@code client-first-requested-at}, when both are there.
     */
    private Long readyMillis(ClaimRef claim, Instant readyAt) {
        if (claim.created() && claim.requestedAt() != null) {
            return Duration.between(claim.requestedAt(), readyAt).toMillis();
        }
        try {
            SandboxClaim current = claims().withName(claim.name()).get();
            Instant firstReady = current == null ? null : ClaimRequest.instant(current, Labels.CLAIM_FIRST_READY_AT);
            Instant requested =
                    current == null ? null : ClaimRequest.instant(current, Labels.CLIENT_FIRST_REQUESTED_AT);
            if (firstReady == null || requested == null || firstReady.isBefore(requested)) {
                return null;
            }
            return Duration.between(requested, firstReady).toMillis();
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    private SandboxClientException apiError(String object, String verb, KubernetesClientException e) {
        String why =
                switch (e.getCode()) {
                    case 401 -> "the Kubernetes API at " + kube.getMasterUrl() + " rejected the credentials (401)";
                    case 403 -> "forbidden by RBAC (403)";
                    case 404 -> "404 "
                            + Optional.ofNullable(e.getStatus())
                                    .map(s -> s.getMessage())
                                    .orElse("not found")
                            + " (is the namespace there, and are the agent-sandbox CRDs installed?)";
                    default -> e.getCode() > 0
                            ? e.getCode() + " "
                                    + Optional.ofNullable(e.getStatus())
                                            .map(s -> s.getMessage())
                                            .orElse(e.getMessage())
                            : "cannot reach the Kubernetes API at " + kube.getMasterUrl() + ": " + rootCause(e);
                };
        return new SandboxClientException(object + ": cannot " + verb + ": " + why, e);
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null
                ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + " (" + root.getMessage() + ")";
    }

    /** Settings of a {@link SandboxClient}; every one has the kata-aks example's default. */
    public static final class Builder {

        private final KubernetesClient kube;
        private String namespace = DEFAULT_NAMESPACE;
        private String warmPool = DEFAULT_WARM_POOL;
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private RouterClient router;
        private Clock clock = Clock.systemUTC();

        private Builder(KubernetesClient kube) {
            this.kube = kube;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder warmPool(String warmPool) {
            this.warmPool = warmPool;
            return this;
        }

        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = readyTimeout;
            return this;
        }

        /** The router at {@code base}, sending each owner's token; agent port 8080, 180 s per request. */
        public Builder router(URI base, RouterTokens tokens) {
            return router(
                    new RouterClient(base, tokens, RouterClient.DEFAULT_REQUEST_TIMEOUT, RouterClient.AGENT_PORT));
        }

        public Builder router(RouterClient router) {
            this.router = router;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public SandboxClient build() {
            return new SandboxClient(this);
        }
    }
}
