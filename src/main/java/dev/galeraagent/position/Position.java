package dev.galeraagent.position;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A node's place in a cluster's history: the cluster (state) uuid and the last committed seqno.
 * A seqno of {@value #UNKNOWN_SEQNO} means unknown (Galera writes -1 while a node runs or after a crash).
 *
 * <p>The one model of a position in the agent, and its {@code parse} methods the one parser of uuids and seqnos:
 * from grastate.dat, the recover log, the one-shot file, the hand-off, {@code --force-bootstrap-from} and other pods' states.
 */
public record Position(UUID uuid, long seqno) {
    public static final long UNKNOWN_SEQNO = -1;
    private static final Pattern CANONICAL_UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

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
        return new Position(parseUuid(field + " uuid", text.substring(0, colon)), parseSeqno(field + " seqno", text.substring(colon + 1)));
    }

    /**
     * A uuid written apart from its seqno (as grastate.dat does), strictly: the canonical 8-4-4-4-12 form only
     * ({@link UUID#fromString} accepts "1-1-1-1-1").
     * @throws InvalidFieldException naming {@code field} when {@code text} is not that form
     */
    public static UUID parseUuid(String field, String text) {
        if (!CANONICAL_UUID.matcher(text).matches()) {
            throw new InvalidFieldException(field, "not a uuid (8-4-4-4-12 hex digits): '" + Uuids.printable(text) + "'");
        }
        return UUID.fromString(text);
    }

    /**
     * A seqno written apart from its uuid: decimal, {@value #UNKNOWN_SEQNO} (unknown) up to {@link Long#MAX_VALUE}.
     * @throws InvalidFieldException naming {@code field} when {@code text} is not that
     */
    public static long parseSeqno(String field, String text) {
        if (!text.matches("-?[0-9]+")) {
            throw new InvalidFieldException(field, "not a number: '" + Uuids.printable(text) + "'");
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(field, "out of range (more than " + Long.MAX_VALUE + "): '" + text + "'");
        }
        if (value < UNKNOWN_SEQNO) {
            throw new InvalidFieldException(field, "must be -1 (unknown) or more, was " + value);
        }
        return value;
    }

    /**
     * The position of a uuid and a seqno another pod published, which are judged, not trusted: empty when {@code uuid} is
     * null or not in the canonical form {@link #parseUuid} accepts, or {@code seqno} is below {@value #UNKNOWN_SEQNO}.
     */
    public static Optional<Position> tryParse(String uuid, long seqno) {
        return uuid != null && CANONICAL_UUID.matcher(uuid).matches() && seqno >= UNKNOWN_SEQNO
                ? Optional.of(new Position(UUID.fromString(uuid), seqno)) : Optional.empty();
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
