package dev.galeraagent.bootstrap;

import dev.galeraagent.bootstrap.PodView.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The outcome of the full-crash election (rules 4 and 5) over every known pod state: a function of the pods' states only,
 * so every pod that sees the same states chooses the same pod.
 */
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

    static Election of(PlannerInput in, Map<Integer, PodView> views) {
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
            return new Conflict(reasons);
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
                return new Pending(reasons);
            }
            reasons.add("WARNING: the recovery timeout passed with pods " + unknown + " unknown; deciding with " + known + " of " + replicas
                    + " pods (quorum " + quorum + "): if an unknown pod holds newer data, it is lost when it joins");
        }
        if (withState.isEmpty()) {
            reasons.add("no pod has state");
            return new Pending(reasons);
        }
        Optional<PodView> max = withState.stream()
                .filter(PodView::seqnoKnown)
                .max(Comparator.comparingLong(PodView::seqno)
                        .thenComparing(PodView::safeToBootstrap)
                        .thenComparing(Comparator.comparingInt(PodView::ordinal).reversed()));
        if (max.isEmpty()) {
            reasons.add("no pod with state knows its seqno yet");
            return new Pending(reasons);
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
            return new Pending(Optional.of(a.ordinal()), reasons);
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
        return new Chosen(best.ordinal(), reasons);
    }
}
