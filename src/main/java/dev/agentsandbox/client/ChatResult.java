package dev.agentsandbox.client;

import dev.agentsandbox.owner.ChatReply;

/**
 * The agent's answer to one chat, and whether the chat woke its sandbox.
 *
 * @param resumed the sandbox was idle-suspended when the client came to it, or the router held this chat while it
 *        woke ({@code X-Sandbox-Woken: true}) or answered it {@code 503} "waking" before the answer came
 */
public record ChatResult(ChatReply reply, boolean resumed) {}
