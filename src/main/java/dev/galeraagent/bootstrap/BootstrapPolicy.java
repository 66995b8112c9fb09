package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.position.Uuids;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.Phase;
import dev.galeraagent.status.PublishedState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bootstrap loop's decisions around the planner, pure so that the tests and the protocol simulation run the very code
 * the loop runs: what the data directory means, what a run remembers, the rule-6 re-check before a bootstrap, and which
 * files a final plan writes.
 */
final class BootstrapPolicy {
    private BootstrapPolicy() {
    }

    /** True when the node's position must come from {@code mariadbd --wsrep-recover} before the election can use it. */
    public static boolean needsRecover(DataDirState dir) {
        if (dir.cutOffTransfer()) {
            return false; // partial data: never a source, its position means nothing
        }
        return switch (dir.kind()) {
            case EMPTY -> false;
            // InnoDB data without a usable grastate.dat may still carry a Galera position: it must take part in the election
            case NO_HISTORY -> !dir.dataFiles().isEmpty();
            case STATE -> dir.grastate().orElseThrow().seqno() == Position.UNKNOWN_SEQNO;
        };
    }

    /**
     * What the data directory means to the election, given the recovered position when {@link #needsRecover} asked for one.
     *
     * @throws IllegalStateException when the recovered history differs from grastate.dat's: the directory needs a person
     */
    public static LocalState localState(DataDirState dir, Optional<Position> recovered) {
        if (dir.cutOffTransfer()) {
            return new LocalState.Empty(LocalState.NoHistory.CUT_OFF_SST, dir.describe());
        }
        return switch (dir.kind()) {
            case EMPTY -> new LocalState.Empty(LocalState.NoHistory.EMPTY, dir.describe());
            case NO_HISTORY -> {
                Optional<Position> p = recovered.filter(r -> !r.uuid().equals(Uuids.NIL) && r.seqnoKnown());
                yield p.<LocalState>map(r -> new LocalState.State(r, true, false))
                        .orElseGet(() -> new LocalState.Empty(dir.dataFiles().isEmpty() ? LocalState.NoHistory.EMPTY : LocalState.NoHistory.PRE_GALERA,
                                dir.describe() + (dir.dataFiles().isEmpty() ? "" : "; InnoDB holds no Galera position either: a pre-Galera data set")));
            }
            case STATE -> {
                GrastateFile g = dir.grastate().orElseThrow();
                if (g.seqno() != Position.UNKNOWN_SEQNO || recovered.isEmpty()) {
                    yield new LocalState.State(g.position(), false, g.safeToBootstrap());
                }
                Position r = recovered.get();
                if (!r.uuid().equals(g.uuid())) {
                    throw new IllegalStateException("mariadbd --wsrep-recover found cluster " + r.uuid() + " but grastate.dat says " + g.uuid()
                            + "; the data directory is inconsistent and needs a person");
                }
                yield new LocalState.State(new Position(g.uuid(), r.seqno()), true, g.safeToBootstrap());
            }
        };
    }

    /**
     * What this run has seen of the other pods while their agent bootstrap ran, updated with this round's readings. A pod
     * that goes quiet keeps its last state here: its data is at least that, and the election must not forget it.
     */
    public static Map<Integer, PublishedState> remember(Map<Integer, PublishedState> before, Map<Integer, PublishedState> published,
                                                        Map<Integer, NodeStatus> statuses) {
        Map<Integer, PublishedState> after = new HashMap<>(before);
        published.forEach((o, s) -> keep(after, o, s));
        statuses.forEach((o, st) -> {
            if (st.lastDecision() != null) {
                keep(after, o, st.lastDecision());
            }
        });
        return Map.copyOf(after);
    }

    private static void keep(Map<Integer, PublishedState> memory, int ordinal, PublishedState s) {
        if (s.ordinal() != ordinal) {
            return;
        }
        PublishedState old = memory.get(ordinal);
        if (Phase.BOOTSTRAP_REQUESTED.is(s.phase())) {
            // a bootstrap handed to mysqld: remembered until the pod is seen again past it (rule 9 has no Lease to record it)
            memory.put(ordinal, s);
            return;
        }
        if (old != null && Phase.BOOTSTRAP_REQUESTED.is(old.phase()) && !PublishedStates.current(s)) {
            memory.remove(ordinal);
            return;
        }
        if (!PublishedStates.current(s)) {
            return;
        }
        if (old != null && !PublishedStates.current(old)) {
            memory.put(ordinal, s);
            return;
        }
        // an empty reading never erases a state seen before: data does not vanish within a run unless a person wipes it
        if (old == null || old.empty() || (!s.empty() && s.seqno() >= old.seqno())) {
            memory.put(ordinal, s);
        }
    }

    /** True for the plans that start a Primary component from this pod. */
    public static boolean bootstraps(Plan plan) {
        return plan instanceof Plan.NewCluster || plan instanceof Plan.BootstrapFromHere;
    }

    /**
     * Rule 6: a pod bootstraps only holding the Lease (when there is an API), and only if no Primary appeared meanwhile;
     * otherwise this round is a WAIT and the next one decides again. {@code releaseLease} tells the caller to give back a
     * Lease it took for nothing.
     */
    public record Confirmed(Plan plan, boolean releaseLease) {
    }

    /**
     * Without the Lease (rule 9) nothing else makes a bootstrap exclusive: two sides of a partition could each decide on a
     * quorum. So a pod bootstraps without it only while it reaches a strict majority of the replicas (itself included)
     * over /status, which two disjoint sides cannot both do (invariant S1).
     */
    public static Confirmed confirm(Plan plan, LeaseGrant grant, Map<Integer, NodeStatus> statuses, int replicas) {
        if (!bootstraps(plan)) {
            return new Confirmed(plan, false);
        }
        List<String> reasons = new ArrayList<>(plan.reasons());
        if (grant instanceof LeaseGrant.NotHeld n) {
            reasons.add("but " + n.why() + ": not bootstrapping (rule 6)");
            return new Confirmed(new Plan.Wait(Optional.empty(), reasons), false);
        }
        if (grant instanceof LeaseGrant.NoApi && (statuses.size() + 1) * 2 <= replicas) {
            reasons.add("but without the bootstrap Lease a pod bootstraps only while it reaches a majority of the " + replicas
                    + " pods over /status, and it reaches " + (statuses.size() + 1) + " (itself included): the others may be on the other"
                    + " side of a partition; waiting (rule 9)");
            return new Confirmed(new Plan.Wait(Optional.empty(), reasons), false);
        }
        List<Integer> primary = statuses.entrySet().stream()
                .filter(e -> e.getValue().inPrimaryComponent()).map(Map.Entry::getKey).sorted().toList();
        if (!primary.isEmpty()) {
            reasons.add("but pods " + primary + " became Primary meanwhile: not bootstrapping, joining them next (rule 6)");
            return new Confirmed(new Plan.Wait(Optional.empty(), reasons), grant instanceof LeaseGrant.Held);
        }
        return new Confirmed(plan, false);
    }

    /** A final plan whose "decided" state could not be published is not acted on: the others would read a stale state of this pod. */
    public static Confirmed unpublished(Plan plan, LeaseGrant grant) {
        List<String> reasons = new ArrayList<>(plan.reasons());
        reasons.add("but this decision could not be published through the Kubernetes API: mysqld is not started on an unpublished"
                + " decision (the others would go on reading this pod's older state); trying again");
        return new Confirmed(new Plan.Wait(Optional.empty(), reasons), grant instanceof LeaseGrant.Held);
    }

    /** The one-shot settings a final plan starts mysqld with once (rule 10). */
    public static GaleraConfig.OneShot oneShot(Plan plan) {
        return switch (plan) {
            case Plan.NewCluster n -> new GaleraConfig.OneShot(true, Optional.empty());
            case Plan.BootstrapFromHere b -> new GaleraConfig.OneShot(true, Optional.of(b.position()));
            case Plan.Join j -> new GaleraConfig.OneShot(false, j.startPosition());
            case Plan.Wait w -> new GaleraConfig.OneShot(false, Optional.empty());
            case Plan.Refuse r -> new GaleraConfig.OneShot(false, Optional.empty());
        };
    }

    /**
     * The grastate.dat a bootstrap from here needs: Galera refuses {@code wsrep_new_cluster} from a node not marked
     * {@code safe_to_bootstrap: 1}, and a directory whose position came from InnoDB alone has no grastate.dat to mark.
     */
    public static Optional<GrastateFile> grastateFor(Plan plan, DataDirState dir) {
        if (!(plan instanceof Plan.BootstrapFromHere b)) {
            return Optional.empty();
        }
        Optional<GrastateFile> g = dir.grastate().filter(GrastateFile::hasHistory);
        if (g.isPresent()) {
            return g.get().safeToBootstrap() ? Optional.empty() : Optional.of(g.get().withSafeToBootstrap(true));
        }
        return Optional.of(GrastateFile.of(b.position(), true));
    }
}
