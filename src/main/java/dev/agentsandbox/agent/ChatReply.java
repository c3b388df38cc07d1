package dev.agentsandbox.agent;

import dev.agentsandbox.owner.Owner;

/** The answer to one chat: the owner, the reply and how many user+assistant pairs the owner's history now holds. */
public record ChatReply(Owner owner, String reply, int historyTurns) {}
