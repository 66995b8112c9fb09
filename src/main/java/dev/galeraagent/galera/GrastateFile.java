package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;
import dev.galeraagent.position.Uuids;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The contents of Galera's {@code grastate.dat}: the node's cluster uuid, its last committed seqno
 * (-1 while running or after a crash) and {@code safe_to_bootstrap}.
 *
 * <p>Parsing tolerates what editors and people do to the file (CRLF, extra spaces, comment and blank
 * lines, unknown keys) and is strict on the values: a bad uuid, seqno, flag or version, a repeated or
 * missing field is an {@link InvalidFieldException} naming the field. {@link #render()} writes the
 * file in Galera's own layout.
 */
public record GrastateFile(String version, UUID uuid, long seqno, boolean safeToBootstrap) {
    /** The only layout this agent reads and writes: Galera 3.19 and later (Galera 4 included). */
    public static final String VERSION = "2.1";
    public static final String FILE_NAME = "grastate.dat";

    public GrastateFile {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(uuid, "uuid");
        if (!VERSION.equals(version)) {
            throw new InvalidFieldException("version", "unsupported '" + Uuids.printable(version) + "' (this agent reads version " + VERSION + ")");
        }
        if (seqno < Position.UNKNOWN_SEQNO) {
            throw new InvalidFieldException("seqno", "must be -1 (unknown) or more, was " + seqno);
        }
    }

    public static GrastateFile of(Position position, boolean safeToBootstrap) {
        return new GrastateFile(VERSION, position.uuid(), position.seqno(), safeToBootstrap);
    }

    public Position position() {
        return new Position(uuid, seqno);
    }

    /** True when the file records no cluster history: Galera writes the nil uuid before a node ever joined a Primary. */
    public boolean hasHistory() {
        return !Uuids.NIL.equals(uuid);
    }

    public GrastateFile withSafeToBootstrap(boolean safe) {
        return new GrastateFile(version, uuid, seqno, safe);
    }

    public static GrastateFile parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new InvalidFieldException("line " + (i + 1), "expected 'key: value', found '" + Uuids.printable(line) + "'");
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (values.containsKey(key)) {
                throw new InvalidFieldException(key, "appears twice");
            }
            values.put(key, value);
        }
        String version = required(values, "version");
        if (!VERSION.equals(version)) {
            throw new InvalidFieldException("version", "unsupported '" + Uuids.printable(version) + "' (this agent reads version " + VERSION + ")");
        }
        UUID uuid = Position.parseUuid("uuid", required(values, "uuid"));
        long seqno = Position.parseSeqno("seqno", required(values, "seqno"));
        String flag = required(values, "safe_to_bootstrap");
        boolean safe = switch (flag) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new InvalidFieldException("safe_to_bootstrap", "must be 0 or 1, was '" + Uuids.printable(flag) + "'");
        };
        return new GrastateFile(version, uuid, seqno, safe);
    }

    private static String required(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            throw new InvalidFieldException(key, "missing (the file is truncated or not a grastate.dat)");
        }
        if (v.isEmpty()) {
            throw new InvalidFieldException(key, "empty value");
        }
        return v;
    }

    /** The file as Galera itself writes it. */
    public String render() {
        return "# GALERA saved state\n"
                + "version: " + version + "\n"
                + "uuid:    " + uuid + "\n"
                + "seqno:   " + seqno + "\n"
                + "safe_to_bootstrap: " + (safeToBootstrap ? 1 : 0) + "\n";
    }
}
