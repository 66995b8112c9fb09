package dev.galeraagent.bootstrap;

import dev.galeraagent.bootstrap.PodView.Source;
import dev.galeraagent.position.Position;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The bootstrap decision (rules 1-5, 7 and 9 of docs/recovery-protocol.md): values in, a {@link Plan} with its reasons
 * out. No I/O, no clock: the caller says whether the recovery timeout passed.
 *
 * <p>The full-crash election (rule 4) is {@link Election#elect}: a function of the pods' states only, so every pod that sees the
 * same states chooses the same pod. What a pod saw earlier in its run, and what the others published when they decided,
 * are lower bounds on their data: the election never picks a pod with less data than any of them (invariant S2).
 */
final class Planner {
    private Planner() {
    }

    public static Plan plan(PlannerInput in) {
        List<Integer> primary = in.peerStatuses().entrySet().stream()
                .filter(e -> e.getKey() != in.selfOrdinal() && e.getValue().inPrimaryComponent())
                .map(Map.Entry::getKey).sorted().toList();
        if (!primary.isEmpty()) {
            return join(in, primary);
        }
        Map<Integer, PodView> views = PodView.all(in);
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
                Optional<Integer> awaiting = Election.of(in, views).chosen();
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
        Election result = Election.of(in, views);
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
            if (v.ordinal() != k && !v.empty() && (!v.uuid().equals(self.position().uuid()) || v.seqno() > self.position().seqno())) {
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
            if (theirs != null && !theirs.equalsIgnoreCase(self.position().uuid().toString()) && in.forced().isEmpty()) {
                reasons.add("but this pod holds another cluster history: " + self.position().uuid() + " seqno "
                        + (self.seqnoKnown() ? self.position().seqno() : "unknown"));
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
