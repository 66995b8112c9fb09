package dev.galeraagent.position;

import java.util.UUID;

/** The nil uuid, and printing untrusted text into a one-line message. Uuids and seqnos are parsed by {@link Position} alone. */
public final class Uuids {
    /** The all-zero uuid Galera writes before a node ever joined a Primary component: no history. */
    public static final UUID NIL = new UUID(0, 0);

    private Uuids() {
    }

    /** Shows control characters as escapes so an error message stays one line. */
    public static String printable(String s) {
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
