package dev.agentsandbox.client;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * The command-line client as a plain class: arguments, environment, streams and Kubernetes access go in, an exit
 * code comes out. The {@code client} role's main is a thin adapter around it, and tests run it without Quarkus.
 */
public final class ClientCli {

    private final KubernetesAccess kubernetes;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final ShutdownHooks hooks;

    public ClientCli(
            KubernetesAccess kubernetes,
            Map<String, String> env,
            PrintStream out,
            PrintStream err,
            ShutdownHooks hooks) {
        this.kubernetes = kubernetes;
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
        this.hooks = hooks;
    }

    public int run(String... args) {
        CommandLine command = new CommandLine(new ClientCommand(this))
                .addSubcommand(new TokenCommand(this))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, given) -> {
                    // The message says what is wrong; the full usage would bury it.
                    e.getCommandLine().getErr().println("error: " + e.getMessage());
                    e.getCommandLine()
                            .getErr()
                            .println("Try '"
                                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the flags.");
                    return ExitCode.USAGE;
                })
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    KubernetesAccess kubernetes() {
        return kubernetes;
    }

    Map<String, String> env() {
        return env;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    ShutdownHooks hooks() {
        return hooks;
    }
}
