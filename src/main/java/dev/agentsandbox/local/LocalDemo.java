package dev.agentsandbox.local;

import dev.agentsandbox.client.ClientCli;
import dev.agentsandbox.client.ShutdownHooks;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The platform's main job, shown end to end by {@code local} without {@code --serve}: the Java client claims a
 * sandbox for each demo owner in parallel, chats with its agent through the router using that owner's token, checks
 * that the answer comes from the owner's own agent, and deletes its claims.
 */
final class LocalDemo {

    static final List<String> OWNERS = List.of("alice", "bob");
    static final String PROMPT = "Who are you, and whose data can you see?";

    private final LocalRuntime runtime;
    private final LocalRouterEndpoint router;
    private final PrintStream out;
    private final PrintStream err;

    LocalDemo(LocalRuntime runtime, LocalRouterEndpoint router, PrintStream out, PrintStream err) {
        this.runtime = runtime;
        this.router = router;
        this.out = out;
        this.err = err;
    }

    /** Runs the demo; the exit code is the client's (0 when every owner's routing check passed). */
    int run(String modelDescription) {
        out.println("agent-sandbox local demo");
        out.println("  model:  " + modelDescription);
        out.println("  router: " + router.url() + " (owner tokens; each owner may reach only their own sandbox)");
        out.println("  claims: " + String.join(", ", OWNERS) + " from warm pool " + LocalPreBoot.DEMO_NAMESPACE + "/"
                + KataAksExample.POOL + ", in parallel");
        out.println();
        List<String> args = new ArrayList<>(List.of(
                "--name",
                String.join(",", OWNERS),
                "--msg",
                PROMPT,
                "--router-url",
                router.url(),
                "--namespace",
                LocalPreBoot.DEMO_NAMESPACE,
                "--warm-pool",
                KataAksExample.POOL,
                "--timeout",
                "120"));
        for (String owner : OWNERS) {
            router.ownerToken(owner).ifPresent(token -> {
                args.add("--owner-token");
                args.add(owner + "=" + token);
            });
        }
        ClientCli client = new ClientCli(
                context -> runtime.controlPlane().client(LocalPreBoot.DEMO_NAMESPACE),
                Map.of(),
                out,
                err,
                ShutdownHooks.jvm());
        int exit = client.run(args.toArray(String[]::new));
        out.println();
        out.println(
                exit == 0
                        ? "demo passed: each owner was answered by their own agent; the demo claims were deleted"
                        : "demo FAILED (client exit code " + exit + "); see the lines above");
        return exit;
    }
}
