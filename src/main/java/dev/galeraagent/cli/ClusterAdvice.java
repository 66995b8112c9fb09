package dev.galeraagent.cli;

import dev.galeraagent.bootstrap.PublishedStates;
import dev.galeraagent.cli.ClusterView.HistoryView;
import dev.galeraagent.cli.ClusterView.Inputs;
import dev.galeraagent.cli.ClusterView.Row;
import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.kube.PodInfo;
import dev.galeraagent.kube.StatefulSetInfo;
import dev.galeraagent.status.Decision;
import dev.galeraagent.status.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** {@code agent status}'s "To do": what, from what was read, a person must do. Pure, as {@link ClusterView}. */
final class ClusterAdvice {
    private ClusterAdvice() {
    }

    static List<String> of(Inputs in, List<Row> rows, HistoryView history) {
        StatefulSetInfo sts = in.sts();
        List<String> advice = new ArrayList<>();
        List<Integer> refused = rows.stream().filter(r -> Decision.REFUSE.is(r.decision()) && Phase.REFUSED.is(r.agentPhase()))
                .map(Row::ordinal).toList();
        if (!refused.isEmpty()) {
            if (history.state() == ClusterView.HistoryState.DIFFERENT) {
                advice.add("pods " + refused + " REFUSED to start: the pods hold different histories ("
                        + history.uuids().entrySet().stream().map(e -> e.getKey() + " on " + e.getValue()).collect(Collectors.joining(", "))
                        + "). Only a person can choose which one to keep; the others' data is replaced. Choose an ordinal ("
                        + bestPerHistory(rows, history) + "), back up the other volumes, then: kubectl -n " + sts.namespace()
                        + " set env statefulset/" + sts.name() + " -c bootstrap AGENT_FORCE_BOOTSTRAP_FROM=<ordinal> && kubectl -n "
                        + sts.namespace() + " delete pod " + String.join(" ", rows.stream().map(Row::pod).toList())
                        + "; remove the override once all pods are ready (docs/guide.md, \"Overriding\")");
            } else {
                advice.add("pods " + refused + " REFUSED to start: " + rows.get(refused.getFirst()).reasons().stream()
                        .collect(Collectors.joining("; ")) + " (kubectl -n " + sts.namespace() + " logs " + sts.podName(refused.getFirst())
                        + " -c bootstrap)");
            }
        }
        List<Integer> waiting = rows.stream().filter(r -> Phase.WAITING.is(r.agentPhase())).map(Row::ordinal).toList();
        TreeSet<Integer> silent = new TreeSet<>(in.states().notPublished());
        // a pod whose last word is a decision of an earlier run and whose sidecar does not answer is waited for as much
        // as one that never published: the waiting pods count only states published during this outage
        boolean noPrimary = rows.stream().noneMatch(r -> r.galera() != null && r.galera().startsWith("Primary"));
        TreeSet<Integer> stale = new TreeSet<>();
        if (noPrimary) {
            in.states().published().forEach((o, st) -> {
                if (!PublishedStates.current(st) && in.sidecars().get(o) instanceof PeerStatus.NotLive) {
                    stale.add(o);
                }
            });
        }
        if (!waiting.isEmpty() && !(silent.isEmpty() && stale.isEmpty())) {
            TreeSet<Integer> waitedFor = new TreeSet<>(silent);
            waitedFor.addAll(stale);
            String who = waitedFor.stream().map(o -> sts.podName(o) + " (" + (stale.contains(o) ? staleness(rows.get(o))
                    : silence(in, o)) + ")").collect(Collectors.joining(", "));
            advice.add("pods " + waiting + " wait for " + who + ", which " + (stale.isEmpty() ? "never reported its state"
                    : "has not reported its state since the outage") + ". Bring it back (its node, its volume), "
                    + "or let the others go on without it: AGENT_RECOVERY_TIMEOUT and AGENT_RECOVERY_QUORUM on the bootstrap container "
                    + "(the transactions only it has are then lost; docs/guide.md, \"After a full outage\")");
        }
        in.states().malformed().forEach((o, why) -> advice.add("pod " + sts.podName(o) + " carries an unreadable published state ("
                + why + "): it counts as not reported; its agent rewrites it on its next run"));
        in.lease().filter(l -> l.holder() != null && l.acquired() != null
                        && Duration.between(l.acquired(), in.now()).compareTo(in.leaseTooLong()) > 0)
                .ifPresent(l -> advice.add("the bootstrap Lease " + l.name() + " has been held by " + l.holder() + " since " + l.acquired()
                        + " (" + ClusterView.human(Duration.between(l.acquired(), in.now())) + "): its bootstrap has not completed. The sidecar releases it "
                        + "once the node is Primary: kubectl -n " + sts.namespace() + " logs " + l.holder() + " -c probe"));
        return advice;
    }

    /** "pod 2 has the highest seqno 42 of 6f1b...": a starting point for the person who chooses, not a choice. */
    private static String bestPerHistory(List<Row> rows, HistoryView history) {
        List<String> parts = new ArrayList<>();
        history.uuids().forEach((uuid, ordinals) -> rows.stream()
                .filter(r -> ordinals.contains(r.ordinal()) && r.seqno() != null)
                .max((a, b) -> a.seqno().equals(b.seqno()) ? Integer.compare(b.ordinal(), a.ordinal()) : Long.compare(a.seqno(), b.seqno()))
                .ifPresent(r -> parts.add("the highest seqno of " + uuid + " is pod " + r.ordinal() + "'s " + r.seqno())));
        return String.join("; ", parts);
    }

    /** A pod whose published state is a decision of an earlier run and whose sidecar does not answer. */
    private static String staleness(Row r) {
        String pod = r.podPhase() + ", its last published state is " + r.agentPhase() + (r.decision() == null ? "" : " " + r.decision())
                + (r.decidedAt() == null ? "" : " at " + r.decidedAt()) + " from an earlier run";
        return r.sidecar() == null ? pod : pod + ", /status " + r.sidecar();
    }

    private static String silence(Inputs in, int ordinal) {
        PodInfo pod = in.pods().get(ordinal);
        if (pod == null) {
            return "no such pod";
        }
        if ("Pending".equals(pod.phase())) {
            return "Pending: not scheduled, or its volume cannot attach";
        }
        if (in.states().malformed().containsKey(ordinal)) {
            return "unreadable state";
        }
        return pod.phase() == null ? "no state published" : pod.phase() + ", no state published";
    }
}
