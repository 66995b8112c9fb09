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

    /**
     * Parses {@link #toString()}'s form {@code uuid:seqno}, strictly.
     * @throws InvalidFieldException naming {@code field} when {@code text} is not that form
     */
    public static Position parse(String field, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidFieldException(field, "not uuid:seqno: '" + Uuids.printable(String.valueOf(text)) + "'");
        }
        return new Position(Uuids.parse(field + " uuid", text.substring(0, colon)), Uuids.parseSeqno(field + " seqno", text.substring(colon + 1)));
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
