package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code client token --owner NAME}: creates or rotates an owner's router token, for administrators. */
@Command(
        name = "token",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Creates or rotates an owner's router token and prints it once on stdout.",
            "Only its SHA-256 is stored, under the owner's name, in the router's owner-token Secret; "
                    + "the previous token of that owner stops working."
        })
final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(names = "--owner", paramLabel = "OWNER", required = true, description = "The owner the token is for.")
    String owner;

    @Option(
            names = "--secret",
            paramLabel = "NAME",
            defaultValue = OwnerTokens.DEFAULT_SECRET_NAME,
            description = "Secret holding the token hashes (default: ${DEFAULT-VALUE}).")
    String secret;

    @Option(
            names = "--secret-namespace",
            paramLabel = "NAMESPACE",
            defaultValue = OwnerTokens.DEFAULT_NAMESPACE,
            description = "Namespace of that Secret (default: ${DEFAULT-VALUE}).")
    String secretNamespace;

    @Option(
            names = "--context",
            paramLabel = "CONTEXT",
            description = "Kubeconfig context (default: the current context, as kubectl).")
    String context;

    private final ClientCli cli;

    TokenCommand(ClientCli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Owner who;
        try {
            who = new Owner(owner);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (KubernetesClient kube = cli.kubernetes().connect(context)) {
            String token = OwnerTokens.issue(kube, secretNamespace, secret, who.name());
            cli.out().println(token);
            cli.err()
                    .println("stored the SHA-256 of a new router token for owner " + who + " in secret "
                            + secretNamespace + "/" + secret + "; it is shown only now. Hand it to the owner, e.g. as "
                            + RouterTokens.variableOf(who) + ".");
            return ExitCode.OK;
        } catch (RuntimeException e) {
            cli.err().println("error: " + e.getMessage());
            return ExitCode.KUBERNETES;
        }
    }
}
