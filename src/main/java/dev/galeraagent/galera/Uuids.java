package dev.galeraagent.galera;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Strict parsing of the canonical uuid form Galera writes; {@link UUID#fromString} accepts too much ("1-1-1-1-1"). */
public final class Uuids {
    /** The all-zero uuid Galera writes before a node ever joined a Primary component: no history. */
    public static final UUID NIL = new UUID(0, 0);
    private static final Pattern CANONICAL = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Uuids() {
    }

    static UUID parse(String field, String text) {
        if (!CANONICAL.matcher(text).matches()) {
            throw new InvalidFieldException(field, "not a uuid (8-4-4-4-12 hex digits): '" + printable(text) + "'");
        }
        return UUID.fromString(text);
    }

    /** A canonical uuid, or empty for null or anything else: for values read from other pods, which are judged, not trusted. */
    public static Optional<UUID> tryParse(String text) {
        return text != null && CANONICAL.matcher(text).matches() ? Optional.of(UUID.fromString(text)) : Optional.empty();
    }

    /** Galera's seqno: -1 (unknown) up to Long.MAX_VALUE. */
    static long parseSeqno(String field, String text) {
        if (!text.matches("-?[0-9]+")) {
            throw new InvalidFieldException(field, "not a number: '" + printable(text) + "'");
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(field, "out of range (more than " + Long.MAX_VALUE + "): '" + text + "'");
        }
        if (value < -1) {
            throw new InvalidFieldException(field, "must be -1 (unknown) or more, was " + value);
        }
        return value;
    }

    /** Shows control characters as escapes so an error message stays one line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }
}
