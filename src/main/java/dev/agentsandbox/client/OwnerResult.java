package dev.agentsandbox.client;

import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one owner's run produced; rendered as one line of text or one JSON object with the keys {@code owner},
 * {@code claim}, {@code sandbox}, {@code launch_type}, {@code ready_ms}, {@code resumed}, {@code reply},
 * {@code history_turns}, {@code check} (plus {@code error} or {@code deleted} when they apply).
 *
 * @param check {@code OK}, {@code FAIL} (routing check), {@code ERROR}, {@code RESET} or {@code DELETED}
 * @param resumed the chat woke the owner's idle-suspended sandbox ({@link ChatResult#resumed()}); false otherwise
 */
record OwnerResult(
        String owner,
        String claim,
        ReadySandbox sandbox,
        ChatReply reply,
        boolean resumed,
        String check,
        String error,
        List<String> deleted,
        int exitCode) {

    static OwnerResult chatted(ClaimRef claim, ReadySandbox sandbox, ChatResult chat, Owner owner) {
        boolean ok = chat.reply().answersAs(owner);
        return new OwnerResult(
                owner.name(),
                claim.name(),
                sandbox,
                chat.reply(),
                chat.resumed(),
                ok ? "OK" : "FAIL",
                null,
                null,
                ok ? ExitCode.OK : ExitCode.CHECK_FAILED);
    }

    static OwnerResult reset(ClaimRef claim, ReadySandbox sandbox) {
        return new OwnerResult(
                claim.owner().name(), claim.name(), sandbox, null, false, "RESET", null, null, ExitCode.OK);
    }

    static OwnerResult deleted(Owner owner, List<String> names) {
        return new OwnerResult(owner.name(), null, null, null, false, "DELETED", null, List.copyOf(names), ExitCode.OK);
    }

    static OwnerResult failed(String owner, String claim, ReadySandbox sandbox, RuntimeException error) {
        return new OwnerResult(
                owner, claim, sandbox, null, false, "ERROR", error.getMessage(), null, ExitCode.of(error));
    }

    /** "warm start, ready in 12 ms[, woken from idle]": how the sandbox came and how long the owner waited. */
    private String start() {
        String how = sandbox.launchType() == null ? "start unknown" : sandbox.launchType() + " start";
        how = sandbox.readyMillis() == null ? how : how + ", ready in " + sandbox.readyMillis() + " ms";
        return resumed ? how + ", woken from idle" : how;
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("owner", owner);
        json.put("claim", claim);
        json.put("sandbox", sandbox == null ? null : sandbox.sandbox());
        json.put("launch_type", sandbox == null ? null : sandbox.launchType());
        json.put("ready_ms", sandbox == null ? null : sandbox.readyMillis());
        json.put("resumed", resumed);
        json.put("reply", reply == null ? null : reply.reply());
        json.put("history_turns", reply == null ? null : reply.historyTurns());
        json.put("check", check);
        if (error != null) {
            json.put("error", error);
        }
        if (deleted != null) {
            json.put("deleted", deleted);
        }
        return json;
    }

    String text() {
        return switch (check) {
            case "OK", "FAIL" -> owner + ": " + check + " | sandbox " + sandbox.sandbox() + " (" + start()
                    + ") | history " + reply.historyTurns() + " | " + reply.reply();
            case "RESET" -> owner + ": RESET history of sandbox " + sandbox.sandbox();
            case "DELETED" -> owner + ": DELETED "
                    + (deleted.isEmpty() ? "nothing (no claims)" : String.join(", ", deleted));
            default -> owner + ": ERROR " + error;
        };
    }
}
