package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a MariaDB data directory holds, as far as the bootstrap decision cares.
 *
 * <ul>
 *   <li>{@link Kind#EMPTY}: no {@code grastate.dat}, no {@code ibdata1} and no {@code mysql} directory.
 *       Anything else there (such as {@code lost+found} of a fresh volume) is ignored.</li>
 *   <li>{@link Kind#NO_HISTORY}: MariaDB files exist ({@code ibdata1} or {@code mysql/}) but there is
 *       no Galera history: no {@code grastate.dat}, or one with the nil uuid that Galera writes before
 *       the node ever joined a Primary component. Such a node has nothing a cluster could lose: it is
 *       treated as empty by the decision (it gets a full state transfer), and the reasons say so.</li>
 *   <li>{@link Kind#STATE}: a {@code grastate.dat} with a cluster uuid: this node carries history.</li>
 * </ul>
 */
public record DataDirState(Kind kind, Optional<GrastateFile> grastate, boolean gvwstatePresent, List<String> dataFiles, List<String> sstMarkers) {
    public enum Kind { EMPTY, NO_HISTORY, STATE }

    /** The files whose presence means MariaDB has initialised this directory. */
    public static final List<String> DATA_MARKERS = List.of("ibdata1", "mysql");
    /**
     * The files the SST scripts keep in the data directory while a state transfer runs and remove when it succeeds. Found
     * when no mysqld runs (agent bootstrap runs before it), they mean a transfer was cut off: the data is partial.
     */
    public static final List<String> SST_MARKERS = List.of("sst_in_progress", "wsrep_sst.pid");

    public DataDirState {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(grastate, "grastate");
        dataFiles = List.copyOf(dataFiles);
        sstMarkers = List.copyOf(sstMarkers);
    }

    /** A state transfer into this directory was cut off: its markers are still there. */
    public boolean cutOffTransfer() {
        return !sstMarkers.isEmpty();
    }

    /**
     * Classifies a directory from its top-level entry names and the text of its Galera files.
     * @throws InvalidFieldException when {@code grastate.dat} exists but is corrupt, and no state transfer was cut off here
     */
    public static DataDirState classify(Set<String> entries, Optional<String> grastateText, boolean gvwstatePresent) {
        List<String> data = DATA_MARKERS.stream().filter(entries::contains).toList();
        List<String> markers = SST_MARKERS.stream().filter(entries::contains).toList();
        Optional<GrastateFile> grastate;
        try {
            grastate = grastateText.map(GrastateFile::parse);
        } catch (InvalidFieldException e) {
            if (markers.isEmpty()) {
                throw e;
            }
            // a transfer killed mid-way leaves grastate.dat as it found it, often empty: part of the partial data, which
            // is never a source and is transferred again, not a file a person must repair
            grastate = Optional.empty();
        }
        Kind kind;
        if (grastate.isPresent() && grastate.get().hasHistory()) {
            kind = Kind.STATE;
        } else if (!data.isEmpty() || grastate.isPresent()) {
            kind = Kind.NO_HISTORY;
        } else {
            kind = Kind.EMPTY;
        }
        return new DataDirState(kind, grastate, gvwstatePresent, data, markers);
    }

    /** One line for people: what this directory holds. */
    public String describe() {
        String cut = cutOffTransfer() ? "; a state transfer was cut off here (" + String.join(", ", sstMarkers) + " left behind): the data is partial" : "";
        return describeKind() + cut;
    }

    private String describeKind() {
        return switch (kind) {
            case EMPTY -> "empty data directory (no grastate.dat, no ibdata1, no mysql/)";
            case NO_HISTORY -> "no Galera history (" + (grastate.isPresent() ? "grastate.dat has the nil uuid" : "no grastate.dat")
                    + (dataFiles.isEmpty() ? "" : "; MariaDB files present: " + String.join(", ", dataFiles)) + ")";
            case STATE -> {
                GrastateFile g = grastate.orElseThrow();
                yield "grastate.dat uuid " + g.uuid() + ", seqno " + g.seqno() + ", safe_to_bootstrap " + (g.safeToBootstrap() ? 1 : 0)
                        + (gvwstatePresent ? ", gvwstate.dat present (stopped uncleanly)" : "");
            }
        };
    }
}
