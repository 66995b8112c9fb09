package dev.galeraagent.probe;

import dev.galeraagent.status.NodeStatus;
import java.util.Map;
import java.util.Objects;

/** What one attempt to read mysqld's state found: its wsrep variables, or why it could not be asked. */
public sealed interface Observation {

    /**
     * The wsrep part of {@code GET /status} this read gives (the rest empty: no pod, no verdict, not ready, not live): what
     * the sidecar's hand-off judges by, with {@link NodeStatus#inPrimaryComponent()} as everywhere else.
     */
    default NodeStatus wsrepStatus() {
        if (!(this instanceof Answered a)) {
            return new NodeStatus(null, null, null, null, null, null, null, null, null, null, false, false, null, null, null, null);
        }
        return new NodeStatus(null, null, null,
                a.get("wsrep_cluster_status"),
                a.get("wsrep_local_state_comment"),
                a.get("wsrep_cluster_state_uuid"),
                parseLong(a.get("wsrep_last_committed")),
                toInt(parseLong(a.get("wsrep_cluster_size"))),
                a.get("wsrep_ready") == null ? null : "ON".equalsIgnoreCase(a.get("wsrep_ready")),
                a.get("wsrep_connected") == null ? null : "ON".equalsIgnoreCase(a.get("wsrep_connected")),
                false, false, null, null, null, null);
    }

    private static Long parseLong(String v) {
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer toInt(Long v) {
        return v == null ? null : Math.toIntExact(v);
    }

    /**
     * mysqld answered. {@code variables} holds {@code wsrep_on} (when the server knows it) and every
     * {@code wsrep_%} status variable, names lower-cased.
     */
    record Answered(Map<String, String> variables) implements Observation {
        public Answered {
            variables = Map.copyOf(variables);
        }

        public String get(String name) {
            return variables.get(name);
        }
    }

    /** mysqld could not be asked; {@code detail} is one line for people, without secrets. */
    record Failed(Failure failure, String detail) implements Observation {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            detail = detail == null ? "" : detail.replaceAll("\\s+", " ").strip();
        }
    }

    /** Why mysqld could not be asked; each kind leads to a different verdict. */
    enum Failure {
        /** Nothing answers on the address: connection refused, reset or closed (down, starting, stopping). */
        DOWN,
        /** A TCP connection but no answer within the timeout: a hung (or SIGSTOPped) server. */
        TIMEOUT,
        /** mysqld answered and refused the probe user: wrong password or missing grant. */
        ACCESS_DENIED,
        /** mysqld answered with another error (too many connections, ...): it runs, but the status is unknown. */
        SERVER_ERROR
    }
}
