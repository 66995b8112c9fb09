package dev.galeraagent.galera;

import java.util.Objects;
import java.util.UUID;

/**
 * A node's place in a cluster's history: the cluster (state) uuid and the last committed seqno.
 * A seqno of {@value #UNKNOWN_SEQNO} means unknown (Galera writes -1 while a node runs or after a crash).
 */
public record Position(UUID uuid, long seqno) {
    public static final long UNKNOWN_SEQNO = -1;

    public Position {
        Objects.requireNonNull(uuid, "uuid");
        if (seqno < UNKNOWN_SEQNO) {
            throw new IllegalArgumentException("seqno must be -1 (unknown) or more, was " + seqno);
        }
    }

    public boolean seqnoKnown() {
        return seqno != UNKNOWN_SEQNO;
    }

    /** The form Galera uses on the command line and in logs: {@code uuid:seqno}. */
    @Override
    public String toString() {
        return uuid + ":" + seqno;
    }
}
