package dev.galeraagent.probe;

import java.util.Map;
import java.util.Objects;

/** What one attempt to read mysqld's state found: its wsrep variables, or why it could not be asked. */
public sealed interface Observation {

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
