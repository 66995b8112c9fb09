package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;
import dev.galeraagent.position.Uuids;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the position that {@code mariadbd --wsrep-recover} writes into its error log:
 * {@code WSREP: Recovered position: <uuid>:<seqno>}, optionally followed by {@code ,<gtid>}
 * (MariaDB 10.5+). Timestamps in front may pad the hour with a space; only the message matters.
 */
public final class RecoverLog {
    private static final Pattern LINE = Pattern.compile("WSREP: Recovered position:\\s*(\\S+?):(-?[0-9]+)(?:,(\\S*))?\\s*$");

    private RecoverLog() {
    }

    /** The recovered position and the GTID MariaDB printed beside it, when it did. */
    public record Recovered(Position position, Optional<String> gtid) {
    }

    /**
     * The last recovered position in the log (a log file may hold several runs).
     * @throws InvalidFieldException naming "Recovered position" when there is none or it is malformed
     */
    public static Recovered parse(String log) {
        Recovered last = null;
        for (String line : log.split("\r?\n|\r")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                Position position = Position.parse("Recovered position", m.group(1) + ":" + m.group(2));
                String gtid = m.group(3);
                last = new Recovered(position, Optional.ofNullable(gtid).filter(g -> !g.isEmpty()));
            } else if (line.contains("WSREP: Recovered position:")) {
                throw new InvalidFieldException("Recovered position", "malformed line: '" + Uuids.printable(line.strip()) + "'");
            }
        }
        if (last == null) {
            throw new InvalidFieldException("Recovered position", "no 'WSREP: Recovered position' line in the log");
        }
        return last;
    }
}
