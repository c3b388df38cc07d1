package dev.agentsandbox.agent;

/** Where a streamed reply goes as the model produces it. */
public interface ReplyStream {

    /** A piece of the reply, in order. */
    void token(String text);

    /** False once the caller has gone away; the reply is then not added to the history. */
    boolean open();
}
