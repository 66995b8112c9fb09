package dev.galeraagent.errors;

/**
 * The agent's exit codes, one meaning each, documented in README.md.
 * Kubernetes only distinguishes zero from non-zero; the distinct codes are for people and scripts.
 */
public enum ExitCode {
    /** The command did what was asked (a probe: the node is healthy). */
    OK(0),
    /** A check ran and failed: the probe's node is not healthy. */
    CHECK_FAILED(1),
    /** Bad usage: an unknown option, a missing or malformed value. */
    USAGE(2),
    /** Bootstrap refused to go on because continuing could lose data; a person must decide. */
    REFUSED(3),
    /** A wait ran out of time (bootstrap waited for peers, a Primary, or an election). */
    TIMEOUT(4),
    /** The environment is not as required: a missing binary, unreachable DNS or API, a forbidden call. */
    ENVIRONMENT(5),
    /** Reading or writing a file failed: missing, read-only or full target, corrupt or unsafe content. */
    IO(6),
    /** A bug in the agent: an unexpected exception. Please report it with --verbose output. */
    INTERNAL(70);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
