package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;
import java.io.PrintStream;
import java.time.Duration;

/**
 * One owner's part of a command-line run, with the example client's rules: one-shot (claim, chat, delete),
 * {@code --reuse} (keep the claim for the next run), {@code --reset} (clear the kept sandbox's history, then chat if
 * a message is given) and {@code --delete} (delete every claim of the owner made by this client).
 */
final class OwnerRun {

    /** What to ask when no {@code --msg} is given: any prompt will do for the routing check. */
    static final String DEFAULT_PROMPT = "Who are you?";

    private final SandboxClient client;
    private final RunOptions options;
    private final PrintStream progress;

    OwnerRun(SandboxClient client, RunOptions options, PrintStream progress) {
        this.client = client;
        this.options = options;
        this.progress = progress;
    }

    /** The flags that decide what a run does for each owner. */
    record RunOptions(String message, boolean reuse, boolean reset, boolean delete, Duration timeout) {

        boolean keepsClaim() {
            return reuse || reset;
        }
    }

    OwnerResult run(Owner owner) {
        ClaimRef claim = null;
        ReadySandbox ready = null;
        try {
            if (options.delete()) {
                var names = client.deleteOwnerClaims(owner.name());
                say(owner, names.isEmpty() ? "no claims to delete" : "deleted claims " + String.join(", ", names));
                return OwnerResult.deleted(owner, names);
            }
            claim = claim(owner);
            try {
                ready = client.awaitReady(claim, options.timeout(), new Progress());
                if (options.reset()) {
                    client.reset(ready);
                    say(owner, "history reset");
                    if (options.message() == null) {
                        return OwnerResult.reset(claim, ready);
                    }
                }
                String prompt = options.message() == null ? DEFAULT_PROMPT : options.message();
                return OwnerResult.chatted(claim, ready, client.chat(ready, prompt, new Progress()), owner);
            } finally {
                if (!options.keepsClaim()) {
                    release(claim);
                }
            }
        } catch (RuntimeException e) {
            say(owner, "error: " + e.getMessage());
            return OwnerResult.failed(owner.name(), claim == null ? null : claim.name(), ready, e);
        }
    }

    private ClaimRef claim(Owner owner) {
        if (options.reset()) {
            ClaimRef kept = client.findClaim(owner.name())
                    .orElseThrow(() -> new ClaimNotFoundException(
                            client.namespace(),
                            ClaimRequest.keptName(owner),
                            "owner " + owner + " has no claim to reset"));
            say(owner, "reusing claim " + kept);
            return kept;
        }
        if (options.reuse()) {
            ClaimRef kept = client.getOrCreateClaim(owner.name());
            say(owner, (kept.created() ? "claim " + kept + " created (kept for --reuse)" : "reusing claim " + kept));
            return kept;
        }
        ClaimRef created = client.createClaim(owner.name());
        say(owner, "claim " + created + " created");
        return created;
    }

    private void release(ClaimRef claim) {
        try {
            client.deleteClaim(claim.name());
            say(claim.owner(), "claim " + claim + " deleted");
        } catch (ClaimNotFoundException e) {
            // Already gone (Ctrl-C cleanup got there first).
        } catch (RuntimeException e) {
            say(claim.owner(), "could not delete claim " + claim + ": " + e.getMessage());
        }
    }

    private void say(Owner owner, String line) {
        progress.println(owner + ": " + line);
    }

    /** Prints the claim's way to Ready, and a wake, on stderr. */
    private final class Progress implements ClaimProgress {

        @Override
        public void waiting(ClaimRef claim, String reason, String message) {
            String detail = message == null || message.isBlank() ? "" : " (" + message + ")";
            say(claim.owner(), "waiting: " + reason + detail);
        }

        @Override
        public void ready(ReadySandbox sandbox) {
            String state;
            if (sandbox.asleep()) {
                state = ", asleep (suspended for being idle)";
            } else {
                state = sandbox.readyMillis() == null ? ", ready" : ", ready after " + sandbox.readyMillis() + " ms";
            }
            say(
                    sandbox.owner(),
                    "sandbox " + sandbox.sandbox() + " assigned"
                            + (sandbox.launchType() == null ? "" : " (" + sandbox.launchType() + " start)")
                            + state);
        }

        @Override
        public void waking(ReadySandbox sandbox) {
            say(sandbox.owner(), "waking " + sandbox.owner() + "'s sandbox " + sandbox.sandbox() + "...");
        }

        @Override
        public void stillWaking(ReadySandbox sandbox, Duration retryIn) {
            say(sandbox.owner(), "still waking, asking again in " + retryIn.toSeconds() + " s");
        }
    }
}
