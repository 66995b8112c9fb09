package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.Position;
import dev.galeraagent.galera.Uuids;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.Phase;
import dev.galeraagent.status.PublishedState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The bootstrap decision (rules 1-5, 7 and 9 of docs/recovery-protocol.md): values in, a {@link Plan} with its reasons
 * out. No I/O, no clock: the caller says whether the recovery timeout passed.
 *
 * <p>The full-crash election (rule 4) is {@link #elect}: a function of the pods' states only, so every pod that sees the
 * same states chooses the same pod. What a pod saw earlier in its run, and what the others published when they decided,
 * are lower bounds on their data: the election never picks a pod with less data than any of them (invariant S2).
 */
public final class Planner {
    private Planner() {
    }

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

    /** One pod's state as the election sees it. */
    record PodView(int ordinal, Source source, boolean empty, boolean cutOff, UUID uuid, long seqno, boolean safeToBootstrap) {
        boolean seqnoKnown() {
            return seqno != Position.UNKNOWN_SEQNO;
        }

        /** Counts as known for the quorum and may be elected: everything but a floor. */
        boolean known() {
            return source != Source.FLOOR;
        }

        Position position() {
            return new Position(uuid, seqno);
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
            return empty ? "pod " + ordinal + ": no history"
                    : "pod " + ordinal + ": cluster " + uuid + " seqno " + (seqnoKnown() ? seqno : "unknown") + (safeToBootstrap ? " (safe_to_bootstrap)" : "") + where;
        }
    }

    public static Plan plan(PlannerInput in) {
        List<Integer> primary = in.peerStatuses().entrySet().stream()
                .filter(e -> e.getKey() != in.selfOrdinal() && e.getValue().inPrimaryComponent())
                .map(Map.Entry::getKey).sorted().toList();
        if (!primary.isEmpty()) {
            return join(in, primary);
        }
        Map<Integer, PodView> views = views(in);
        List<String> reasons = new ArrayList<>();
        reasons.add("no live Primary component among the peers (" + liveDescription(in) + ")");

        List<Integer> ready = in.readyPods().stream().filter(o -> o != in.selfOrdinal() && o < in.replicas()).sorted().toList();
        if (!ready.isEmpty()) {
            reasons.add("but pods " + ready + " are Ready according to the Kubernetes API: a Primary component served moments ago that this pod"
                    + " cannot reach (a partition, or their /status does not answer). That is not an outage: never bootstrapping beside it (rule 1)");
            return new Plan.Wait(Optional.empty(), reasons);
        }
        List<Integer> handedOff = new ArrayList<>(in.peerStatuses().entrySet().stream()
                .filter(e -> e.getKey() != in.selfOrdinal() && e.getValue().lastDecision() != null
                        && Phase.BOOTSTRAP_REQUESTED.is(e.getValue().lastDecision().phase()))
                .map(Map.Entry::getKey).toList());
        // one this run saw handed off and has not seen since: it may be Primary behind a partition
        in.remembered().forEach((o, st) -> {
            PodView now = views.get(o);
            if (o != in.selfOrdinal() && Phase.BOOTSTRAP_REQUESTED.is(st.phase()) && !handedOff.contains(o)
                    && !in.peerStatuses().containsKey(o) && (now == null || now.source() != Source.CURRENT)) {
                handedOff.add(o);
            }
        });
        handedOff.sort(null);
        if (!handedOff.isEmpty()) {
            reasons.add("pod " + handedOff.get(0) + " has a bootstrap handed to its mysqld that can still become Primary: never a second"
                    + " bootstrap beside it; waiting to join it (rule 6)");
            return new Plan.Wait(Optional.of(handedOff.get(0)), reasons);
        }
        Optional<Integer> open = in.openBootstrap().filter(o -> o != in.selfOrdinal() && o < in.replicas());
        if (open.isPresent() && !(views.get(open.get()) != null && views.get(open.get()).source() == Source.CURRENT)) {
            int b = open.get();
            reasons.add("pod " + b + " bootstrapped the cluster and not every pod joined it before the outage (the bootstrap Lease records it"
                    + " open): it may hold rows no other pod has, so no election goes on without it, whatever the quorum; waiting for pod " + b
                    + " (invariant S2). If it is lost for good, a person may accept losing those rows with --force-bootstrap-from");
            return new Plan.Wait(Optional.of(b), reasons);
        }
        if (in.forced().isPresent()) {
            Optional<Plan> forced = forced(in, views, reasons);
            if (forced.isPresent()) {
                return forced.get();
            }
        }
        List<PodView> others = views.values().stream().filter(v -> v.ordinal() != in.selfOrdinal() && v.known()).toList();
        List<PodView> othersWithState = others.stream().filter(v -> !v.empty()).toList();
        List<PodView> cutOff = others.stream().filter(PodView::cutOff).toList();

        if (in.local() instanceof LocalState.Empty e) {
            reasons.add("this pod has no usable Galera history: " + e.detail());
            if (!othersWithState.isEmpty()) {
                reasons.add(ordinals(othersWithState) + " have state: waiting for them to bring the cluster up, then joining by full state transfer (rule 3)");
                Optional<Integer> awaiting = election(in, views).chosen();
                return new Plan.Wait(awaiting, reasons);
            }
            List<PodView> floors = views.values().stream().filter(v -> v.source() == Source.FLOOR && !v.empty()).toList();
            if (!floors.isEmpty()) {
                reasons.add("no pod reports state now, but " + floors.stream().map(PodView::describe).collect(Collectors.joining("; "))
                        + ": the cluster has data, so no new cluster starts; waiting for those pods (rule 3)");
                return new Plan.Wait(Optional.of(floors.get(0).ordinal()), reasons);
            }
            List<Integer> silent = silent(in, views);
            if (in.selfOrdinal() != 0) {
                reasons.add("fresh cluster: only pod 0 starts it; waiting for a live Primary to join (rule 2)");
                return new Plan.Wait(Optional.of(0), reasons);
            }
            if (!silent.isEmpty()) {
                // with podManagementPolicy Parallel a pod not heard from yet may hold the cluster's only history
                reasons.add("waiting to hear from pods " + silent + " before starting a new cluster: a pod not heard from may have state (rule 3)");
                return new Plan.Wait(Optional.empty(), reasons);
            }
            if (e.kind() == LocalState.NoHistory.CUT_OFF_SST || !cutOff.isEmpty()) {
                reasons.add((e.kind() == LocalState.NoHistory.CUT_OFF_SST ? "this pod's" : ordinals(cutOff) + "' ")
                        + " state transfer was cut off, so the cluster had data that no pod holds whole now: starting a new cluster would"
                        + " lose it. A person must restore a backup into pod 0's data directory, or clear the cut-off data directories to"
                        + " start empty (rule 3)");
                return new Plan.Refuse(reasons);
            }
            reasons.add("every other pod is known to have no Galera history");
            if (e.kind() == LocalState.NoHistory.PRE_GALERA) {
                reasons.add("fresh cluster: pod 0 starts a new cluster from its pre-Galera data set (MariaDB data with no Galera position):"
                        + " that data becomes the cluster's (rule 2)");
            } else {
                reasons.add("fresh cluster: pod 0 starts a new cluster (rule 2)");
            }
            return new Plan.NewCluster(reasons);
        }

        LocalState.State self = (LocalState.State) in.local();
        if (!self.seqnoKnown()) {
            reasons.add("this pod's seqno is unknown: grastate.dat says -1 and mariadbd --wsrep-recover has not run");
            return new Plan.Wait(Optional.empty(), reasons);
        }
        Election result = election(in, views);
        reasons.addAll(result.reasons());
        return switch (result) {
            case Election.Conflict c -> new Plan.Refuse(reasons);
            case Election.Pending p -> new Plan.Wait(p.awaiting(), reasons);
            case Election.Chosen c when c.ordinal() == in.selfOrdinal() -> {
                reasons.add("this pod bootstraps the cluster from " + self.position() + " (rule 4)");
                yield new Plan.BootstrapFromHere(self.position(), reasons);
            }
            case Election.Chosen c -> {
                reasons.add("waiting for pod " + c.ordinal() + " to bootstrap, then joining it (rule 4)");
                yield new Plan.Wait(Optional.of(c.ordinal()), reasons);
            }
        };
    }

    /** The outcome of the full-crash election over every known pod state. */
    sealed interface Election {
        List<String> reasons();

        default Optional<Integer> chosen() {
            return this instanceof Chosen c ? Optional.of(c.ordinal()) : Optional.empty();
        }

        record Chosen(int ordinal, List<String> reasons) implements Election {
        }

        /** @param awaiting the pod that must report or act before anyone can decide, when one is known */
        record Pending(Optional<Integer> awaiting, List<String> reasons) implements Election {
            Pending(List<String> reasons) {
                this(Optional.empty(), reasons);
            }
        }

        record Conflict(List<String> reasons) implements Election {
        }
    }

    static Election election(PlannerInput in, Map<Integer, PodView> views) {
        return elect(in.replicas(), views, in.quorum(), in.quorumTimeoutPassed());
    }

    /**
     * Rules 4 and 5: wait until every pod's state is known (or a quorum once the timeout passed); refuse when pods with
     * state hold different histories; else the pod with the most data: among the highest seqno the one with
     * {@code safe_to_bootstrap}, then the lowest ordinal. A floor (a pod's published seqno at its last decision) that is
     * above the best known pod makes the election wait for that pod, whatever the quorum: electing the best known pod would
     * lose the rows only the quiet pod holds.
     */
    static Election elect(int replicas, Map<Integer, PodView> views, int quorum, boolean timeoutPassed) {
        List<String> reasons = new ArrayList<>();
        List<PodView> withState = views.values().stream().filter(v -> v.known() && !v.empty()).toList();
        Map<UUID, List<PodView>> histories = withState.stream()
                .collect(Collectors.groupingBy(PodView::uuid, TreeMap::new, Collectors.toList()));
        if (histories.size() > 1) {
            reasons.add("the pods do not share one cluster history: " + histories.values().stream()
                    .map(l -> l.stream().map(PodView::describe).collect(Collectors.joining(", ")))
                    .collect(Collectors.joining("; ")));
            reasons.add("bootstrapping any of them would throw away the others' data: a person must choose with"
                    + " --force-bootstrap-from=<ordinal>@<uuid>:<seqno> (rule 5); the positions: " + withState.stream()
                    .filter(PodView::seqnoKnown).map(v -> v.ordinal() + "@" + v.position()).collect(Collectors.joining(", ")));
            return new Election.Conflict(reasons);
        }
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            PodView v = views.get(i);
            if (v == null || !v.known() || (!v.empty() && !v.seqnoKnown())) {
                unknown.add(i);
            }
        }
        int known = replicas - unknown.size();
        if (!unknown.isEmpty()) {
            if (!timeoutPassed || known < quorum) {
                reasons.add("waiting for pods " + unknown + " to publish their state: " + known + " of " + replicas + " known"
                        + (timeoutPassed ? ", fewer than the quorum of " + quorum : "") + " (rule 4)");
                return new Election.Pending(reasons);
            }
            reasons.add("WARNING: the recovery timeout passed with pods " + unknown + " unknown; deciding with " + known + " of " + replicas
                    + " pods (quorum " + quorum + "): if an unknown pod holds newer data, it is lost when it joins");
        }
        if (withState.isEmpty()) {
            reasons.add("no pod has state");
            return new Election.Pending(reasons);
        }
        Optional<PodView> max = withState.stream()
                .filter(PodView::seqnoKnown)
                .max(Comparator.comparingLong(PodView::seqno)
                        .thenComparing(PodView::safeToBootstrap)
                        .thenComparing(Comparator.comparingInt(PodView::ordinal).reversed()));
        if (max.isEmpty()) {
            reasons.add("no pod with state knows its seqno yet");
            return new Election.Pending(reasons);
        }
        PodView best = max.get();
        reasons.add("known states: " + views.values().stream().filter(PodView::known).sorted(Comparator.comparingInt(PodView::ordinal))
                .map(PodView::describe).collect(Collectors.joining("; ")));
        UUID history = best.uuid();
        Optional<PodView> ahead = views.values().stream()
                .filter(v -> v.source() == Source.FLOOR && !v.empty() && history.equals(v.uuid()) && v.seqno() > best.seqno())
                .max(Comparator.comparingLong(PodView::seqno));
        if (ahead.isPresent()) {
            PodView a = ahead.get();
            reasons.add("but " + a.describe() + ", more than the best pod known now (pod " + best.ordinal() + ", seqno " + best.seqno()
                    + "): waiting for pod " + a.ordinal() + ", which holds rows no other pod has. If it is lost for good, a person may accept"
                    + " losing them with --force-bootstrap-from=" + best.ordinal() + "@" + best.position() + " (invariant S2)");
            return new Election.Pending(Optional.of(a.ordinal()), reasons);
        }
        views.values().stream().filter(v -> v.source() == Source.FLOOR && !v.empty() && !history.equals(v.uuid())).forEach(v ->
                reasons.add("note: " + v.describe() + " names another cluster history; it is not counted (it refuses to join if it still holds it)"));
        List<PodView> safe = withState.stream().filter(PodView::safeToBootstrap).toList();
        if (best.safeToBootstrap()) {
            reasons.add("pod " + best.ordinal() + " has safe_to_bootstrap: 1 and the highest seqno " + best.seqno());
        } else if (!safe.isEmpty()) {
            reasons.add("pods " + safe.stream().map(PodView::ordinal).toList() + " have safe_to_bootstrap: 1 but pod " + best.ordinal()
                    + " has more data (seqno " + best.seqno() + "): choosing the most data");
        } else {
            reasons.add("pod " + best.ordinal() + " has the highest seqno " + best.seqno() + " (ties go to the lowest ordinal)");
        }
        return new Election.Chosen(best.ordinal(), reasons);
    }

    /**
     * A person's override, applied only while the chosen pod still holds the position the person saw; otherwise it is
     * reported and ignored, and the election decides ({@code Optional.empty()}).
     */
    private static Optional<Plan> forced(PlannerInput in, Map<Integer, PodView> views, List<String> reasons) {
        ForcedBootstrap f = in.forced().orElseThrow();
        int k = f.ordinal();
        PodView target = views.get(k);
        boolean targetKnown = target != null && target.known();
        if (targetKnown && (target.empty() || !target.seqnoKnown() || !target.position().equals(f.position()))) {
            if (k == in.selfOrdinal() && !target.empty() && !target.seqnoKnown()) {
                reasons.add("a person chose pod " + k + " with --force-bootstrap-from=" + f + "; this pod's seqno is unknown until"
                        + " mariadbd --wsrep-recover runs");
                return Optional.of(new Plan.Wait(Optional.empty(), reasons));
            }
            reasons.add("WARNING: --force-bootstrap-from=" + f + " is ignored: pod " + k + " now holds " + (target.empty() ? "no history"
                    : target.position()) + ", not the position the person chose (an override left in place from an earlier outage?);"
                    + " the election decides. Remove the override");
            return Optional.empty();
        }
        reasons.add("a person chose pod " + k + " at " + f.position() + " with --force-bootstrap-from=" + f);
        if (k != in.selfOrdinal()) {
            reasons.add("waiting for pod " + k + " to bootstrap, then joining it");
            return Optional.of(new Plan.Wait(Optional.of(k), reasons));
        }
        LocalState.State self = (LocalState.State) in.local();
        for (PodView v : views.values()) {
            if (v.ordinal() != k && !v.empty() && (!v.uuid().equals(self.uuid()) || v.seqno() > self.seqno())) {
                reasons.add("WARNING: " + v.describe() + " differs from or is ahead of this pod; its data is replaced when it joins");
            }
        }
        reasons.add("this pod bootstraps the cluster from " + self.position());
        return Optional.of(new Plan.BootstrapFromHere(self.position(), reasons));
    }

    private static Plan join(PlannerInput in, List<Integer> primary) {
        NodeStatus first = in.peerStatuses().get(primary.get(0));
        List<String> reasons = new ArrayList<>();
        reasons.add("pods " + primary + " are in a live Primary component (cluster " + first.wsrepClusterStateUuid()
                + ", last committed " + first.wsrepLastCommitted() + "): joining it (rule 1)");
        Optional<Position> start = Optional.empty();
        if (in.local() instanceof LocalState.State self) {
            String theirs = first.wsrepClusterStateUuid();
            if (theirs != null && !theirs.equalsIgnoreCase(self.uuid().toString()) && in.forced().isEmpty()) {
                reasons.add("but this pod holds another cluster history: " + self.uuid() + " seqno " + (self.seqnoKnown() ? self.seqno() : "unknown"));
                reasons.add("joining would replace this pod's data by a full state transfer: move the data aside, or set --force-bootstrap-from to accept (rule 5)");
                return new Plan.Refuse(reasons);
            }
            if (self.seqnoKnown() && self.seqnoRecovered()) {
                start = Optional.of(self.position());
                reasons.add("starting from the recovered position " + self.position() + ": incremental state transfer if the donor still has it");
            } else if (!self.seqnoKnown()) {
                reasons.add("this pod's position is unknown: it gets a full state transfer");
            }
        } else {
            reasons.add("this pod has no usable Galera history (" + ((LocalState.Empty) in.local()).detail() + "): it gets a full state transfer");
        }
        return new Plan.Join(primary, start, reasons);
    }

    /**
     * Every pod's state: this one from its data directory; the others from what is current (the API, their /status, a live
     * mysqld outside a Primary), else from what this run remembers, else from what they published when they last decided.
     */
    static Map<Integer, PodView> views(PlannerInput in) {
        Map<Integer, PodView> views = new TreeMap<>();
        for (Map.Entry<Integer, PublishedState> e : in.published().entrySet()) {
            fromPublished(in, e.getKey(), e.getValue()).ifPresent(v -> views.merge(v.ordinal(), v, Planner::better));
        }
        for (Map.Entry<Integer, NodeStatus> e : in.peerStatuses().entrySet()) {
            PublishedState s = e.getValue().lastDecision();
            if (s != null) {
                fromPublished(in, e.getKey(), s).ifPresent(v -> views.merge(v.ordinal(), v, Planner::better));
            }
            fromLiveNode(in, e.getKey(), e.getValue()).ifPresent(v -> views.merge(v.ordinal(), v, Planner::better));
        }
        for (Map.Entry<Integer, PublishedState> e : in.remembered().entrySet()) {
            fromPublished(in, e.getKey(), e.getValue())
                    .map(v -> v.source() == Source.CURRENT ? new PodView(v.ordinal(), Source.REMEMBERED, v.empty(), v.cutOff(), v.uuid(), v.seqno(), v.safeToBootstrap()) : v)
                    .ifPresent(v -> views.merge(v.ordinal(), v, Planner::better));
        }
        views.put(in.selfOrdinal(), switch (in.local()) {
            case LocalState.Empty e -> new PodView(in.selfOrdinal(), Source.SELF, true, e.kind() == LocalState.NoHistory.CUT_OFF_SST, null,
                    Position.UNKNOWN_SEQNO, false);
            case LocalState.State s -> new PodView(in.selfOrdinal(), Source.SELF, false, false, s.uuid(), s.seqno(), s.safeToBootstrap());
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
                    ? Optional.of(new PodView(ordinal, source, true, s.cutOff(), null, Position.UNKNOWN_SEQNO, false))
                    : Optional.empty();
        }
        Optional<UUID> uuid = Uuids.tryParse(s.uuid());
        if (uuid.isEmpty() || (source == Source.FLOOR && s.seqno() < 0)) {
            return Optional.empty();
        }
        return Optional.of(new PodView(ordinal, source, false, false, uuid.get(), Math.max(s.seqno(), Position.UNKNOWN_SEQNO), s.safeToBootstrap()));
    }

    /** A peer's mysqld that answers outside any Primary component cannot commit: its last committed seqno is its data. */
    private static Optional<PodView> fromLiveNode(PlannerInput in, int ordinal, NodeStatus st) {
        if (ordinal == in.selfOrdinal() || ordinal >= in.replicas() || st.wsrepClusterStatus() == null || st.inPrimaryComponent()
                || st.wsrepLastCommitted() == null || st.wsrepLastCommitted() < 0) {
            return Optional.empty();
        }
        return Uuids.tryParse(st.wsrepClusterStateUuid()).filter(u -> !u.equals(Uuids.NIL))
                .map(u -> new PodView(ordinal, Source.CURRENT, false, false, u, st.wsrepLastCommitted(), false));
    }

    private static List<Integer> silent(PlannerInput in, Map<Integer, PodView> views) {
        List<Integer> silent = new ArrayList<>();
        for (int i = 0; i < in.replicas(); i++) {
            PodView v = views.get(i);
            if (v == null || !v.known()) {
                silent.add(i);
            }
        }
        return silent;
    }

    private static String liveDescription(PlannerInput in) {
        if (in.peerStatuses().isEmpty()) {
            return "no peer answered /status";
        }
        return in.peerStatuses().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "pod " + e.getKey() + ": " + (e.getValue().wsrepClusterStatus() == null
                        ? (e.getValue().lastDecision() != null ? "agent " + e.getValue().lastDecision().phase() : "mysqld not answering")
                        : e.getValue().wsrepClusterStatus()))
                .collect(Collectors.joining(", "));
    }

    private static String ordinals(List<PodView> views) {
        return "pods " + views.stream().map(PodView::ordinal).sorted().toList();
    }
}
