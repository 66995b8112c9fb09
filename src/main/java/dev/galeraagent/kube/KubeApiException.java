package dev.galeraagent.kube;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;

/**
 * A Kubernetes API call that failed, with a one-line message a person can act on. {@link #kind()} lets the
 * bootstrap loop tell "no API access" (forbidden, unreachable: fall back to rule 9) from the rest.
 */
public final class KubeApiException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Why the call failed. */
    public enum Kind {
        /** 401 or 403: the service account lacks a permission (the message names verb, resource, namespace). */
        FORBIDDEN,
        /** No answer: connection refused or timed out, unknown host, TLS failure. */
        UNREACHABLE,
        /** The object does not exist (a pod, the StatefulSet). */
        NOT_FOUND,
        /** resourceVersion conflicts went on for longer than the retries allowed. */
        CONFLICT,
        /** Any other answer from the API server (5xx, 422, ...), or an object the agent cannot use. */
        FAILED
    }

    private final Kind kind;

    public KubeApiException(Kind kind, String message, Throwable cause) {
        super(ExitCode.ENVIRONMENT, message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True when the agent has no usable API at all and must go on without it (rule 9). */
    public boolean noApiAccess() {
        return kind == Kind.FORBIDDEN || kind == Kind.UNREACHABLE;
    }
}
