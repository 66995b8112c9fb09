package dev.galeraagent.errors;

/**
 * A failure the agent reports as one clear line and a specific exit code, never a bare stack trace.
 * Adapters throw it (or a subclass) with a message a person can act on.
 */
public class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ExitCode exitCode;

    public AgentException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public AgentException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
