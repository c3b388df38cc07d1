package dev.agentsandbox.agent;

/** A chat that cannot be answered, with the HTTP status and the {@code detail} the caller sees. */
public class AgentFailure extends RuntimeException {

    private final int status;

    public AgentFailure(int status, String detail) {
        super(detail);
        this.status = status;
    }

    public AgentFailure(int status, String detail, Throwable cause) {
        super(detail, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }
}
