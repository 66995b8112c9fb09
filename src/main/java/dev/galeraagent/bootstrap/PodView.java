package dev.galeraagent.bootstrap;

import dev.galeraagent.position.Position;
import dev.galeraagent.position.Uuids;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One pod's state as the election sees it, and where it learnt it: the planner's view of the pods, apart from its decision.
 *
 * @param position where the pod is in its cluster's history; null when it has none ({@link #empty})
 * @param cutOff   it has none because a state transfer into it was cut off
 */
record PodView(int ordinal, Source source, Position position, boolean cutOff, boolean safeToBootstrap) {
    /** Where the election learnt a pod's state, from the most to the least direct. */
    enum Source {
        /** This pod's own data directory. */
        SELF,
        /** A running agent bootstrap's state, or a live mysqld's position outside any Primary component. */
        CURRENT,
        /** Seen earlier in this run: the pod went quiet since, but its data is at least that. */
        REMEMBERED,
        /** What the pod published when it decided, an outage or a moment ago: a lower bound only. */
        FLOOR
    }

    /** No usable history: an empty data directory, or a cut-off state transfer. */
    boolean empty() {
        return position == null;
    }

    /** The cluster of its history; null when {@link #empty}. */
    UUID uuid() {
        return empty() ? null : position.uuid();
    }

    /** Its seqno; {@value Position#UNKNOWN_SEQNO} when unknown or {@link #empty}. */
    long seqno() {
        return empty() ? Position.UNKNOWN_SEQNO : position.seqno();
    }

    boolean seqnoKnown() {
        return !empty() && position.seqnoKnown();
    }

    /** Counts as known for the quorum and may be elected: everything but a floor. */
    boolean known() {
        return source != Source.FLOOR;
    }

    String describe() {
        String where = switch (source) {
            case SELF, CURRENT -> "";
            case REMEMBERED -> " (seen earlier in this run)";
            case FLOOR -> " (at least: published when it decided)";
        };
        if (cutOff) {
            return "pod " + ordinal + ": a cut-off state transfer (partial data)";
        }
        return empty() ? "pod " + ordinal + ": no history"
                : "pod " + ordinal + ": cluster " + position.uuid() + " seqno " + (seqnoKnown() ? position.seqno() : "unknown") + (safeToBootstrap ? " (safe_to_bootstrap)" : "") + where;
    }

    /**
     * Every pod's state: this one from its data directory; the others from what is current (the API, their /status, a live
     * mysqld outside a Primary), else from what this run remembers, else from what they published when they last decided.
     */
    static Map<Integer, PodView> all(PlannerInput in) {
        Map<Integer, PodView> views = new TreeMap<>();
        for (Map.Entry<Integer, PublishedState> e : in.published().entrySet()) {
            fromPublished(in, e.getKey(), e.getValue()).ifPresent(v -> views.merge(v.ordinal(), v, PodView::better));
        }
        for (Map.Entry<Integer, NodeStatus> e : in.peerStatuses().entrySet()) {
            PublishedState s = e.getValue().lastDecision();
            if (s != null) {
                fromPublished(in, e.getKey(), s).ifPresent(v -> views.merge(v.ordinal(), v, PodView::better));
            }
            fromLiveNode(in, e.getKey(), e.getValue()).ifPresent(v -> views.merge(v.ordinal(), v, PodView::better));
        }
        for (Map.Entry<Integer, PublishedState> e : in.remembered().entrySet()) {
            fromPublished(in, e.getKey(), e.getValue())
                    .map(v -> v.source() == Source.CURRENT ? new PodView(v.ordinal(), Source.REMEMBERED, v.position(), v.cutOff(), v.safeToBootstrap()) : v)
                    .ifPresent(v -> views.merge(v.ordinal(), v, PodView::better));
        }
        views.put(in.selfOrdinal(), switch (in.local()) {
            case LocalState.Empty e -> new PodView(in.selfOrdinal(), Source.SELF, null, e.kind() == LocalState.NoHistory.CUT_OFF_SST, false);
            case LocalState.State s -> new PodView(in.selfOrdinal(), Source.SELF, s.position(), false, s.safeToBootstrap());
        });
        return views;
    }

    /** The more direct source wins; between two floors (or two memories) the higher seqno, which is the tighter bound. */
    private static PodView better(PodView a, PodView b) {
        if (a.source() != b.source()) {
            return a.source().compareTo(b.source()) <= 0 ? a : b;
        }
        if (a.source() == Source.CURRENT) {
            return b; // the later reading
        }
        return a.seqno() >= b.seqno() ? a : b;
    }

    /**
     * A published state: current while its pod's agent bootstrap runs (inspecting, waiting, refused), else a floor: the seqno
     * it published when it decided, which its data can only have grown past. An unreadable uuid is no state at all.
     */
    private static Optional<PodView> fromPublished(PlannerInput in, int ordinal, PublishedState s) {
        if (ordinal == in.selfOrdinal() || ordinal < 0 || ordinal >= in.replicas()) {
            return Optional.empty();
        }
        Source source = PublishedStates.current(s) ? Source.CURRENT : Source.FLOOR;
        if (s.empty()) {
            return source == Source.CURRENT
                    ? Optional.of(new PodView(ordinal, source, null, s.cutOff(), false))
                    : Optional.empty();
        }
        if (source == Source.FLOOR && s.seqno() < 0) {
            return Optional.empty();
        }
        return s.position().map(p -> new PodView(ordinal, source, p, false, s.safeToBootstrap()));
    }

    /** A peer's mysqld that answers outside any Primary component cannot commit: its last committed seqno is its data. */
    private static Optional<PodView> fromLiveNode(PlannerInput in, int ordinal, NodeStatus st) {
        if (ordinal == in.selfOrdinal() || ordinal >= in.replicas() || st.wsrepClusterStatus() == null || st.inPrimaryComponent()
                || st.wsrepLastCommitted() == null || st.wsrepLastCommitted() < 0) {
            return Optional.empty();
        }
        return Position.tryParse(st.wsrepClusterStateUuid(), st.wsrepLastCommitted()).filter(p -> !p.uuid().equals(Uuids.NIL))
                .map(p -> new PodView(ordinal, Source.CURRENT, p, false, false));
    }
}
