package dev.galeraagent.status;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where a pod is in its start, as {@link PublishedState#phase()} says it on the wire. The field stays a string, so a
 * phase this agent does not know (a newer agent's) is read as unknown, never as an error.
 */
public enum Phase {
    /** {@code agent bootstrap} runs and has not decided yet. */
    INSPECTING("inspecting"),
    /** {@code agent bootstrap} decided WAIT and asks again. */
    WAITING("waiting"),
    /** {@code agent bootstrap} decided REFUSE: a person must choose. */
    REFUSED("refused"),
    /** {@code agent bootstrap} took a final decision and ended. */
    DECIDED("decided"),
    /** The sidecar's: a bootstrap was handed to mysqld and is not Primary yet; it can still become Primary. */
    BOOTSTRAP_REQUESTED("bootstrap-requested"),
    /** The sidecar's: the handed-off bootstrap became Primary. */
    BOOTSTRAPPED("bootstrapped");

    private final String wire;

    Phase(String wire) {
        this.wire = wire;
    }

    /** The phase as written in JSON. */
    public String wire() {
        return wire;
    }

    /** True when {@code phase}, as read from JSON, is this one. */
    public boolean is(String phase) {
        return wire.equals(phase);
    }

    /** The phase a JSON value names; empty for null or a phase this agent does not know. */
    public static Optional<Phase> of(String phase) {
        return Arrays.stream(values()).filter(p -> p.is(phase)).findFirst();
    }
}
