package dev.galeraagent.status;

import java.util.Arrays;
import java.util.Optional;

/**
 * The bootstrap's decisions by the names logs, Events and {@link PublishedState#decision()} give them (the constant's
 * name is the wire form). The field stays a string, so an unknown decision reads as unknown, never as an error.
 */
public enum Decision {
    NEW_CLUSTER, JOIN, BOOTSTRAP_FROM_HERE, WAIT, REFUSE;

    /** True when {@code decision}, as read from JSON, is this one. */
    public boolean is(String decision) {
        return name().equals(decision);
    }

    /** The decision a JSON value names; empty for null or a decision this agent does not know. */
    public static Optional<Decision> of(String decision) {
        return Arrays.stream(values()).filter(d -> d.is(decision)).findFirst();
    }
}
