package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What {@code agent prepare-start} does before a start of mariadbd (docs/architecture.md, "Every start keeps the
 * position"), decided from the files alone so that it holds whether or not the probe could ever log in.
 *
 * @param dropOneShot      the pending one-shot file is spent: the node was Primary since it was written
 * @param markSafe         set {@code safe_to_bootstrap: 1} again: the one-shot bootstrap never reached Primary, and
 *                         Galera reset the flag meanwhile (a crash before Primary), so the restart would be refused
 * @param recoverFor       run {@code mariadbd --wsrep-recover} and pass the position it finds; the uuid it must find
 * @param reasons          why, for the log
 */
public record StartPlan(boolean dropOneShot, boolean markSafe, Optional<UUID> recoverFor, List<String> reasons) {
    public StartPlan {
        Objects.requireNonNull(recoverFor, "recoverFor");
        reasons = List.copyOf(reasons);
    }

    /** A pending one-shot file and when it was written. */
    public record PendingOneShot(GaleraConfig.OneShot settings, Instant written) {
    }

    /**
     * @param dir        the data directory
     * @param oneShot    the one-shot file of the config volume, if there is one
     * @param gvwstate   when gvwstate.dat was last written (Galera writes it only while the node is in a Primary component)
     * @param grastate   when grastate.dat was last written
     */
    public static StartPlan decide(DataDirState dir, Optional<PendingOneShot> oneShot, Optional<Instant> gvwstate, Optional<Instant> grastate) {
        List<String> why = new ArrayList<>();
        if (dir.cutOffTransfer()) {
            why.add("a state transfer was cut off here (" + String.join(", ", dir.sstMarkers()) + "): no position to keep, Galera "
                    + "transfers the state again");
            return new StartPlan(false, false, Optional.empty(), why);
        }
        Optional<GrastateFile> g = dir.grastate().filter(GrastateFile::hasHistory);
        if (g.isEmpty()) {
            why.add(dir.describe() + ": no position to keep");
            return new StartPlan(false, false, Optional.empty(), why);
        }
        GrastateFile state = g.get();
        boolean drop = false;
        if (oneShot.isPresent()) {
            PendingOneShot once = oneShot.get();
            Optional<String> primary = primarySince(state, once, gvwstate, grastate);
            if (primary.isEmpty()) {
                boolean markSafe = once.settings().newCluster() && !state.safeToBootstrap();
                why.add("the one-shot settings (" + describe(once.settings()) + ") are still pending: this node has not been Primary since "
                        + "they were written, so this start still carries them out");
                if (markSafe) {
                    why.add("grastate.dat says safe_to_bootstrap: 0 (mariadbd stopped before it was Primary); the election chose this node, "
                            + "so it is set to 1 again, or Galera would refuse the bootstrap at every restart");
                }
                return new StartPlan(false, markSafe, Optional.empty(), why);
            }
            why.add("the one-shot settings (" + describe(once.settings()) + ") are spent: " + primary.get() + "; the file goes, so "
                    + "this start can never bootstrap a second cluster");
            drop = true;
        }
        if (state.seqno() == Position.UNKNOWN_SEQNO) {
            why.add("grastate.dat names cluster " + state.uuid() + " with seqno -1 (mariadbd stopped uncleanly): recovering the position "
                    + "from InnoDB, so that Galera keeps this node's history");
            return new StartPlan(drop, false, Optional.of(state.uuid()), why);
        }
        why.add("grastate.dat holds position " + state.position() + " (a clean stop): Galera starts from it");
        return new StartPlan(drop, false, Optional.empty(), why);
    }

    /** Evidence that the node was in a Primary component since the one-shot file was written, or empty. */
    private static Optional<String> primarySince(GrastateFile state, PendingOneShot once, Optional<Instant> gvwstate, Optional<Instant> grastate) {
        if (gvwstate.isPresent() && gvwstate.get().isAfter(once.written())) {
            return Optional.of("gvwstate.dat, which Galera writes only in a Primary component, is newer than the one-shot file");
        }
        // a clean stop deletes gvwstate.dat; the seqno it wrote then tells instead: a view or a commit since the start
        // position means the node was Primary (a stop before Primary writes back the position it started from)
        if (state.seqno() >= 0 && grastate.isPresent() && grastate.get().isAfter(once.written())) {
            Optional<Position> start = once.settings().startPosition();
            if (start.isEmpty() || !start.get().uuid().equals(state.uuid()) || state.seqno() > start.get().seqno()) {
                return Optional.of("grastate.dat, written at a clean stop after the one-shot file, holds " + state.position()
                        + ", past the start position " + start.map(Position::toString).orElse("(none)"));
            }
        }
        return Optional.empty();
    }

    private static String describe(GaleraConfig.OneShot once) {
        List<String> parts = new ArrayList<>();
        if (once.newCluster()) {
            parts.add("wsrep_new_cluster");
        }
        once.startPosition().ifPresent(p -> parts.add("wsrep_start_position=" + p));
        return parts.isEmpty() ? "empty" : String.join(", ", parts);
    }

    /**
     * The mariadbd arguments for a recovered position.
     * @throws IllegalStateException with a one-line message when InnoDB holds another cluster's position than grastate.dat
     */
    public static List<String> startArguments(UUID expected, Position recovered) {
        if (!recovered.uuid().equals(expected)) {
            throw new IllegalStateException("mariadbd --wsrep-recover found position " + recovered + " in InnoDB, but grastate.dat names cluster "
                    + expected + ": the data and grastate.dat disagree, and starting either way could lose this node's history");
        }
        if (!recovered.seqnoKnown()) {
            return List.of();
        }
        return List.of("--wsrep-start-position=" + recovered);
    }
}
