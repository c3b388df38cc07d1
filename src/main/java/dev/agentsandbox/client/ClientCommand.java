package dev.agentsandbox.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code client} command: claim, chat, check, and clean up, for one or several owners in parallel. */
@Command(
        name = "client",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Claims a sandbox for each owner from a warm pool, sends the message to the owner's agent through "
                    + "the router, and checks that the reply begins with \"I am <owner>'s agent\" (OK or FAIL).",
            "Without --reuse the claim is deleted on exit, also on Ctrl-C. Progress goes to stderr, results to "
                    + "stdout."
        },
        footer = {
            "",
            "Router tokens, most specific first: --owner-token OWNER=TOKEN, env ROUTER_TOKEN_<OWNER> "
                    + "(upper case, other characters as _), --token, env ROUTER_TOKEN.",
            "Exit codes: 0 all OK, 1 routing check FAIL, 2 usage, 3 claim not Ready (timeout, missing warm pool, "
                    + "failed, not found, suspended by a user, still waking from an idle suspension), 4 router "
                    + "unreachable, 5 router error (401, 403, 5xx), 6 Kubernetes API error. With several owners, the "
                    + "highest code."
        })
final class ClientCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How results are printed on stdout. */
    enum Output {
        text,
        json
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = "--name",
            split = ",",
            paramLabel = "OWNER",
            description = "Owner to run for (sent as X-Owner); repeat or separate by commas for several in parallel.")
    List<String> names = new ArrayList<>();

    @Option(
            names = "--msg",
            paramLabel = "TEXT",
            description = "Message for the agent (default: \"" + OwnerRun.DEFAULT_PROMPT + "\").")
    String message;

    @Option(names = "--reuse", description = "Keep the owner's claim and reuse it on the next run (found by labels).")
    boolean reuse;

    @Option(
            names = "--reset",
            description = "Clear the history of the owner's kept sandbox; then chat if --msg is given.")
    boolean reset;

    @Option(names = "--delete", description = "Delete every claim of the owner made by this client, then exit.")
    boolean delete;

    @Option(
            names = "--output",
            paramLabel = "FORMAT",
            defaultValue = "text",
            description = "text or json (one JSON object per owner and line).")
    Output output;

    @Option(
            names = "--router-url",
            paramLabel = "URL",
            description = "Router base URL (default: env ROUTER_BASE_URL, else ROUTER_URL).")
    String routerUrl;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "Router bearer token for every owner (default: env ROUTER_TOKEN).")
    String token;

    @Option(names = "--owner-token", paramLabel = "OWNER=TOKEN", description = "Router token of one owner; repeatable.")
    Map<String, String> ownerTokens = new LinkedHashMap<>();

    @Option(
            names = "--namespace",
            paramLabel = "NAMESPACE",
            defaultValue = SandboxClient.DEFAULT_NAMESPACE,
            description = "Namespace of the claims (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = "--warm-pool",
            paramLabel = "POOL",
            defaultValue = SandboxClient.DEFAULT_WARM_POOL,
            description = "Warm pool to claim from (default: ${DEFAULT-VALUE}).")
    String warmPool;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "180",
            description = "How long to wait for Ready (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(
            names = "--context",
            paramLabel = "CONTEXT",
            description = "Kubeconfig context (default: the current context, as kubectl).")
    String context;

    private final ClientCli cli;

    ClientCommand(ClientCli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        List<Owner> owners = owners();
        OwnerRun.RunOptions options = options();
        URI router = router();
        KubernetesClient connected;
        try {
            connected = cli.kubernetes().connect(context);
        } catch (RuntimeException e) {
            cli.err().println("error: cannot configure access to the Kubernetes API: " + e.getMessage());
            return ExitCode.KUBERNETES;
        }
        try (KubernetesClient kube = connected) {
            SandboxClient.Builder builder = SandboxClient.builder(kube)
                    .namespace(namespace)
                    .warmPool(warmPool)
                    .readyTimeout(options.timeout());
            if (router != null) {
                builder.router(router, tokens(owners));
            }
            SandboxClient client = builder.build();
            // One-shot claims must not outlive the run, even on Ctrl-C.
            Thread cleanup = options.keepsClaim() || delete ? null : client.shutdownCleanup();
            if (cleanup != null) {
                cli.hooks().add(cleanup);
            }
            try {
                List<OwnerResult> results = runAll(new OwnerRun(client, options, cli.err()), owners);
                results.forEach(this::print);
                return results.stream().mapToInt(OwnerResult::exitCode).max().orElse(ExitCode.OK);
            } finally {
                if (cleanup != null) {
                    cli.hooks().remove(cleanup);
                }
            }
        }
    }

    private List<OwnerResult> runAll(OwnerRun run, List<Owner> owners) {
        if (owners.size() == 1) {
            return List.of(run.run(owners.get(0)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(owners.size(), 16));
        try {
            List<Future<OwnerResult>> futures = new ArrayList<>();
            owners.forEach(owner -> futures.add(pool.submit(() -> run.run(owner))));
            List<OwnerResult> results = new ArrayList<>();
            for (int i = 0; i < owners.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    results.add(OwnerResult.failed(
                            owners.get(i).name(),
                            null,
                            null,
                            new SandboxClientException(String.valueOf(e.getCause()), e.getCause())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxClientException("interrupted", e);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private void print(OwnerResult result) {
        if (output == Output.json) {
            try {
                cli.out().println(JSON.writeValueAsString(result.json()));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            cli.out().println(result.text());
        }
    }

    private List<Owner> owners() {
        if (names.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--name is required: the owner(s) to run for");
        }
        Set<Owner> owners = new LinkedHashSet<>();
        for (String name : names) {
            try {
                owners.add(new Owner(name.strip()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return List.copyOf(owners);
    }

    private OwnerRun.RunOptions options() {
        if (delete && (reset || message != null)) {
            throw new ParameterException(spec.commandLine(), "--delete cannot be combined with --reset or --msg");
        }
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        return new OwnerRun.RunOptions(message, reuse, reset, delete, Duration.ofSeconds(timeoutSeconds));
    }

    private URI router() {
        if (delete) {
            return null;
        }
        // ROUTER_BASE_URL as in the upstream example; ROUTER_URL as `local --serve` prints it.
        String url = routerUrl != null
                ? routerUrl
                : cli.env().getOrDefault("ROUTER_BASE_URL", cli.env().get("ROUTER_URL"));
        if (url == null || url.isBlank()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "no router URL: pass --router-url or set ROUTER_BASE_URL or ROUTER_URL (e.g. http://127.0.0.1:8080)");
        }
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "router URL \"" + url + "\" is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "router URL \"" + url + "\" must be http(s)://host[:port], e.g. http://127.0.0.1:8080");
        }
        return uri;
    }

    /** Owner tokens: flags beat the environment, an owner's own token beats the shared one. */
    private RouterTokens tokens(List<Owner> owners) {
        Map<String, String> perOwner = new HashMap<>();
        for (Owner owner : owners) {
            String fromEnv = cli.env().get(RouterTokens.variableOf(owner));
            if (fromEnv != null && !fromEnv.isBlank()) {
                perOwner.put(owner.name(), fromEnv);
            }
        }
        perOwner.putAll(ownerTokens);
        return RouterTokens.of(perOwner, token != null ? token : cli.env().get("ROUTER_TOKEN"));
    }
}
