package dev.agentsandbox.app;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * Entry point of the packaged application: {@code java -jar quarkus-run.jar <role> [args...]}, or the role from
 * {@code SANDBOX_ROLE}. The role is fixed before Quarkus boots so that role defaults apply to the runtime config.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        RoleSelection selection =
                RoleSelection.of(args, System.getenv("SANDBOX_ROLE"), System.getProperty(Role.CONFIG_KEY));
        if (selection.error() != null) {
            System.err.println(selection.error());
            System.exit(2);
            return;
        }
        System.setProperty(Role.CONFIG_KEY, selection.role().id());
        for (PreBoot hook : java.util.ServiceLoader.load(PreBoot.class)) {
            hook.beforeBoot(selection.role(), selection.args());
        }
        Quarkus.run(RoleApplication.class, selection.args());
    }

    /** The role and the arguments that follow it; or why none could be chosen. */
    public record RoleSelection(Role role, String[] args, String error) {

        public static RoleSelection of(String[] args, String env, String sysprop) {
            if (args.length > 0 && Role.parse(args[0]).isPresent()) {
                return new RoleSelection(Role.parse(args[0]).get(), Arrays.copyOfRange(args, 1, args.length), null);
            }
            for (String candidate : new String[] {sysprop, env}) {
                if (candidate != null && !candidate.isBlank()) {
                    return Role.parse(candidate)
                            .map(r -> new RoleSelection(r, args, null))
                            .orElseGet(() -> new RoleSelection(
                                    null,
                                    args,
                                    "unknown role \"" + candidate + "\": expected one of " + Role.choices()));
                }
            }
            String given = args.length > 0 ? " (\"" + args[0] + "\" is not one)" : "";
            return new RoleSelection(
                    null,
                    args,
                    "no role given" + given + ": pass one of " + Role.choices()
                            + " as the first argument, or set SANDBOX_ROLE");
        }
    }
}
