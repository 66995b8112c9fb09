package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.Position;
import dev.galeraagent.status.NodeStatus;
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
 * The bootstrap decision (DESIGN "The bootstrap decision", rules 1-5, 7 and 9): values in, a
 * {@link Plan} with its reasons out. No I/O, no clock: the caller says whether the recovery timeout passed.
 *
 * <p>The full-crash election (rule 4) is {@link #elect}: a function of the pods' states only, so every
 * pod that sees the same states chooses the same pod.
 */
public final class Planner {
    private Planner() {
    }

    /** One pod's state as the election sees it: from this pod's data directory or from what another pod published. */
    record PodView(int ordinal, boolean empty, UUID uuid, long seqno, boolean safeToBootstrap) {
        boolean seqnoKnown() {
            return seqno != Position.UNKNOWN_SEQNO;
        }

        String describe() {
            return empty ? "pod " + ordinal + ": no history"
                    : "pod " + ordinal + ": cluster " + uuid + " seqno " + (seqnoKnown() ? seqno : "unknown") + (safeToBootstrap ? " (safe_to_bootstrap)" : "");
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

        if (in.forceBootstrapFrom().isPresent()) {
            return forced(in, views, reasons);
        }
        List<PodView> others = views.values().stream().filter(v -> v.ordinal() != in.selfOrdinal()).toList();
        List<PodView> othersWithState = others.stream().filter(v -> !v.empty()).toList();

        if (in.local() instanceof LocalState.Empty e) {
            reasons.add("this pod has no Galera history: " + e.detail());
            if (!othersWithState.isEmpty()) {
                reasons.add(ordinals(othersWithState) + " have state: waiting for them to bring the cluster up, then joining by full state transfer (rule 3)");
                Optional<Integer> awaiting = election(in, views).chosen();
                return new Plan.Wait(awaiting, reasons);
            }
            List<Integer> silent = silent(in, views);
            if (in.selfOrdinal() == 0) {
                if (!silent.isEmpty()) {
                    // with podManagementPolicy Parallel a pod not heard from yet may hold the cluster's only history
                    reasons.add("waiting to hear from pods " + silent + " before starting a new cluster: a pod not heard from may have state (rule 3)");
                    return new Plan.Wait(Optional.empty(), reasons);
                }
                reasons.add("every other pod is known to have no Galera history");
                reasons.add("fresh cluster: pod 0 starts a new cluster (rule 2)");
                return new Plan.NewCluster(reasons);
            }
            reasons.add("fresh cluster: only pod 0 starts it; waiting for a live Primary to join (rule 2)");
            return new Plan.Wait(Optional.of(0), reasons);
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
            case Election.Pending p -> new Plan.Wait(Optional.empty(), reasons);
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

        record Pending(List<String> reasons) implements Election {
        }

        record Conflict(List<String> reasons) implements Election {
        }
    }

    static Election election(PlannerInput in, Map<Integer, PodView> views) {
        return elect(in.replicas(), views, in.quorum(), in.quorumTimeoutPassed());
    }

    /**
     * Rule 4 and 5: wait until every pod's state is known (or a quorum once the timeout passed); refuse
     * when pods with state hold different histories; else the pod with the most data: among the highest
     * seqno the one with {@code safe_to_bootstrap}, then the lowest ordinal.
     */
    static Election elect(int replicas, Map<Integer, PodView> views, int quorum, boolean timeoutPassed) {
        List<String> reasons = new ArrayList<>();
        List<PodView> withState = views.values().stream().filter(v -> !v.empty()).toList();
        Map<UUID, List<PodView>> histories = withState.stream()
                .collect(Collectors.groupingBy(PodView::uuid, TreeMap::new, Collectors.toList()));
        if (histories.size() > 1) {
            reasons.add("the pods do not share one cluster history: " + histories.values().stream()
                    .map(l -> l.stream().map(PodView::describe).collect(Collectors.joining(", ")))
                    .collect(Collectors.joining("; ")));
            reasons.add("bootstrapping any of them would throw away the others' data: a person must choose with --force-bootstrap-from=<ordinal> (rule 5)");
            return new Election.Conflict(reasons);
        }
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            PodView v = views.get(i);
            if (v == null || (!v.empty() && !v.seqnoKnown())) {
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
        reasons.add("known states: " + views.values().stream().sorted(Comparator.comparingInt(PodView::ordinal))
                .map(PodView::describe).collect(Collectors.joining("; ")));
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

    private static Plan forced(PlannerInput in, Map<Integer, PodView> views, List<String> reasons) {
        int k = in.forceBootstrapFrom().orElseThrow();
        reasons.add("a person chose pod " + k + " with --force-bootstrap-from=" + k);
        if (k != in.selfOrdinal()) {
            reasons.add("waiting for pod " + k + " to bootstrap, then joining it");
            return new Plan.Wait(Optional.of(k), reasons);
        }
        if (!(in.local() instanceof LocalState.State self)) {
            reasons.add("but this pod has no Galera history to bootstrap from: " + ((LocalState.Empty) in.local()).detail());
            return new Plan.Refuse(reasons);
        }
        if (!self.seqnoKnown()) {
            reasons.add("this pod's seqno is unknown: grastate.dat says -1 and mariadbd --wsrep-recover has not run");
            return new Plan.Wait(Optional.empty(), reasons);
        }
        for (PodView v : views.values()) {
            if (v.ordinal() != k && !v.empty() && (!v.uuid().equals(self.uuid()) || v.seqno() > self.seqno())) {
                reasons.add("WARNING: " + v.describe() + " differs from or is ahead of this pod; its data is replaced when it joins");
            }
        }
        reasons.add("this pod bootstraps the cluster from " + self.position());
        return new Plan.BootstrapFromHere(self.position(), reasons);
    }

    private static Plan join(PlannerInput in, List<Integer> primary) {
        NodeStatus first = in.peerStatuses().get(primary.get(0));
        List<String> reasons = new ArrayList<>();
        reasons.add("pods " + primary + " are in a live Primary component (cluster " + first.wsrepClusterStateUuid()
                + ", last committed " + first.wsrepLastCommitted() + "): joining it (rule 1)");
        Optional<Position> start = Optional.empty();
        if (in.local() instanceof LocalState.State self) {
            String theirs = first.wsrepClusterStateUuid();
            if (theirs != null && !theirs.equalsIgnoreCase(self.uuid().toString()) && in.forceBootstrapFrom().isEmpty()) {
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
            reasons.add("this pod has no Galera history: it gets a full state transfer");
        }
        return new Plan.Join(primary, start, reasons);
    }

    /** Every pod's known state: this one from its data directory, others from the API, else from their /status. */
    static Map<Integer, PodView> views(PlannerInput in) {
        Map<Integer, PodView> views = new TreeMap<>();
        for (Map.Entry<Integer, NodeStatus> e : in.peerStatuses().entrySet()) {
            PublishedState s = e.getValue().lastDecision();
            if (s != null && e.getKey() != in.selfOrdinal() && e.getKey() < in.replicas()) {
                fromPublished(e.getKey(), s).ifPresent(v -> views.put(v.ordinal(), v));
            }
        }
        for (Map.Entry<Integer, PublishedState> e : in.published().entrySet()) {
            if (e.getKey() != in.selfOrdinal() && e.getKey() < in.replicas()) {
                fromPublished(e.getKey(), e.getValue()).ifPresent(v -> views.put(v.ordinal(), v));
            }
        }
        views.put(in.selfOrdinal(), switch (in.local()) {
            case LocalState.Empty e -> new PodView(in.selfOrdinal(), true, null, Position.UNKNOWN_SEQNO, false);
            case LocalState.State s -> new PodView(in.selfOrdinal(), false, s.uuid(), s.seqno(), s.safeToBootstrap());
        });
        return views;
    }

    /**
     * A published state that is not {@linkplain PublishedStates#current current} (its pod decided and ran
     * mysqld since) or cannot be read (a bad uuid) counts as not published: the pod is asked again.
     */
    private static Optional<PodView> fromPublished(int ordinal, PublishedState s) {
        if (!PublishedStates.current(s)) {
            return Optional.empty();
        }
        if (s.empty()) {
            return Optional.of(new PodView(ordinal, true, null, Position.UNKNOWN_SEQNO, false));
        }
        try {
            UUID uuid = UUID.fromString(String.valueOf(s.uuid()));
            return Optional.of(new PodView(ordinal, false, uuid, Math.max(s.seqno(), Position.UNKNOWN_SEQNO), s.safeToBootstrap()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static List<Integer> silent(PlannerInput in, Map<Integer, PodView> views) {
        List<Integer> silent = new ArrayList<>();
        for (int i = 0; i < in.replicas(); i++) {
            if (!views.containsKey(i)) {
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
                        ? (e.getValue().lastDecision() != null ? "agent waiting" : "mysqld not answering")
                        : e.getValue().wsrepClusterStatus()))
                .collect(Collectors.joining(", "));
    }

    private static String ordinals(List<PodView> views) {
        return "pods " + views.stream().map(PodView::ordinal).sorted().toList();
    }
}
