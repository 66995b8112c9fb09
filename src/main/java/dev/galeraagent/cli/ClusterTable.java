package dev.galeraagent.cli;

import java.time.Duration;
import java.util.stream.Collectors;

/** {@code agent status}'s table: {@link ClusterView}'s summary as a person reads it (the JSON output is the summary itself). */
final class ClusterTable {
    private ClusterTable() {
    }

    /** The table a person reads. */
    static String render(ClusterView.Summary s) {
        StringBuilder out = new StringBuilder();
        out.append("StatefulSet ").append(s.statefulSet()).append(" in namespace ").append(s.namespace()).append(": ")
                .append(s.replicas()).append(" replicas, at ").append(s.time()).append('\n');
        String format = "%-" + Math.max(3, s.pods().stream().mapToInt(r -> r.pod().length()).max().orElse(3)) + "s  %-11s  %-9s  %-16s  %-36s  %8s  %-13s  %-5s  %s%n";
        out.append(String.format(format, "POD", "PHASE", "AGENT", "GALERA", "UUID", "SEQNO", "READY", "LIVE", "DECISION"));
        for (ClusterView.Row r : s.pods()) {
            out.append(String.format(format, r.pod(),
                    r.podPhase() + (r.restarts() != null && r.restarts() > 0 ? "(" + r.restarts() + ")" : ""),
                    dash(r.agentPhase()), dash(r.galera()), dash(r.uuid()), r.seqno() == null ? "-" : r.seqno().toString(),
                    r.ready() == null ? "-" : (r.ready() ? "yes" : "no") + ("kubelet".equals(r.readySource()) ? " (kubelet)" : ""),
                    r.live() == null ? "-" : r.live() ? "yes" : "no",
                    r.decision() == null ? "-" : r.decision() + (r.forcedFrom() == null ? "" : " (forced from " + r.forcedFrom() + ")")));
        }
        out.append('\n');
        for (ClusterView.Row r : s.pods()) {
            if (!r.reasons().isEmpty()) {
                out.append(r.pod()).append(": ").append(r.decision()).append(r.decidedAt() == null ? "" : " at " + r.decidedAt()).append('\n');
                r.reasons().forEach(reason -> out.append("  - ").append(reason).append('\n'));
            }
            if (r.sidecar() != null) {
                out.append(r.pod()).append(" /status: ").append(r.sidecar()).append('\n');
            }
            if (!"published".equals(r.published())) {
                out.append(r.pod()).append(" published state: ").append(r.published()).append('\n');
            }
        }
        out.append('\n');
        out.append("Lease: ").append(s.lease() == null ? "not created (no pod has taken it yet)" : describe(s.lease())).append('\n');
        out.append("History: ").append(switch (s.history().state()) {
            case NONE -> "no pod has Galera state yet";
            case ONE -> "one, " + s.history().uuids().keySet().iterator().next() + " on pods " + s.history().uuids().values().iterator().next();
            case DIFFERENT -> "DIFFERENT: " + s.history().uuids().entrySet().stream().map(e -> e.getKey() + " on pods " + e.getValue())
                    .collect(Collectors.joining(", "));
        }).append('\n');
        if (s.events() != null) {
            out.append("Recent events:").append(s.events().isEmpty() ? " none recorded\n" : "\n");
            s.events().forEach(e -> out.append("  ").append(e.time() == null ? "-" : e.time()).append("  ").append(e.pod()).append("  ")
                    .append(e.reason()).append("  ").append(e.message()).append('\n'));
        } else {
            out.append("Recent events: not readable: ").append(s.eventsUnreadable()).append('\n');
        }
        if (s.advice().isEmpty()) {
            out.append("To do: nothing\n");
        } else {
            out.append("To do:\n");
            s.advice().forEach(a -> out.append("  * ").append(a).append('\n'));
        }
        return out.toString();
    }

    private static String describe(ClusterView.LeaseView l) {
        String position = l.uuid() == null ? "" : " (uuid " + l.uuid() + ", seqno " + (l.seqno() == null ? "-" : l.seqno()) + ")";
        return switch (l.state()) {
            case FREE -> l.name() + " free" + (position.isEmpty() ? "" : ", last bootstrap" + position);
            case HELD -> l.name() + " held by " + l.holder() + (l.since() == null ? "" : " since " + l.since()
                    + " (" + ClusterView.human(Duration.ofSeconds(l.heldForSeconds())) + ")") + ", expires " + l.expires() + position;
            case EXPIRED -> l.name() + " expired, last held by " + l.holder() + (l.since() == null ? "" : " since " + l.since()) + ", expired "
                    + l.expires() + position;
        };
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
