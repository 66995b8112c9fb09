package dev.galeraagent.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.handoff.LeaseRecord;
import dev.galeraagent.kube.AgentEvent;
import dev.galeraagent.kube.PodInfo;
import dev.galeraagent.kube.PodStates;
import dev.galeraagent.kube.StatefulSetInfo;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * {@code agent status}'s pure part: what was read (published states, the Pod objects, the sidecars' /status, the
 * Lease, the agent's Events) in; one row per pod, the Lease, whether the pods share one history, and what a person
 * must do, out. No I/O, so every state of a cluster is tested without one.
 */
final class ClusterView {
    /** Galera's uuid for "no history": grastate.dat of a node that never joined. */
    static final String ZERO_UUID = "00000000-0000-0000-0000-000000000000";
    /** Events shown per pod: its last decisions, Lease takes and releases, hand-off. */
    static final int HISTORY_PER_POD = 6;

    private ClusterView() {
    }

    /** The agent's Event history as read, or why it could not be. */
    sealed interface History {
        record Read(List<AgentEvent> events) implements History {
        }

        record Unreadable(String why) implements History {
        }
    }

    /**
     * Everything {@code agent status} read.
     *
     * @param sidecars     each pod's /status answer by ordinal; a pod not asked (no IP, --no-sidecars) is absent
     * @param leaseTooLong a Lease held longer than this gets a piece of advice
     */
    record Inputs(StatefulSetInfo sts, PodStates states, SortedMap<Integer, PodInfo> pods, Map<Integer, PeerStatus> sidecars,
            Optional<LeaseRecord> lease, History history, Instant now, Duration leaseTooLong) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Summary(
            @JsonProperty("namespace") String namespace,
            @JsonProperty("statefulset") String statefulSet,
            @JsonProperty("replicas") int replicas,
            @JsonProperty("time") String time,
            @JsonProperty("pods") List<Row> pods,
            @JsonProperty("lease") LeaseView lease,
            @JsonProperty("history") HistoryView history,
            @JsonProperty("events") List<EventView> events,
            @JsonProperty("events_unreadable") String eventsUnreadable,
            @JsonProperty("advice") List<String> advice) {

        boolean actionNeeded() {
            return !advice.isEmpty();
        }
    }

    /**
     * One pod. {@code uuid} and {@code seqno} are the live ones from /status when it answered, else the published ones.
     *
     * @param podPhase     Kubernetes' {@code status.phase}; {@code absent} when there is no Pod object
     * @param agentPhase   the published phase: inspecting, waiting, decided, refused; null when nothing was published
     * @param galera       {@code wsrep_cluster_status/wsrep_local_state_comment} from /status; {@code not running} when the
     *                     sidecar (or {@code agent bootstrap}, while it waits) answered without them; null when unknown
     * @param ready        the sidecar's verdict, else the kubelet's Ready condition ({@code readySource} says which)
     * @param live         the sidecar's verdict; null when it did not answer
     * @param sidecar      the sidecar's one-line reason, or why it did not answer
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Row(
            @JsonProperty("pod") String pod,
            @JsonProperty("ordinal") int ordinal,
            @JsonProperty("pod_phase") String podPhase,
            @JsonProperty("restarts") Integer restarts,
            @JsonProperty("agent_phase") String agentPhase,
            @JsonProperty("galera") String galera,
            @JsonProperty("uuid") String uuid,
            @JsonProperty("seqno") Long seqno,
            @JsonProperty("decision") String decision,
            @JsonProperty("forced_from") Integer forcedFrom,
            @JsonProperty("reasons") List<String> reasons,
            @JsonProperty("decided_at") String decidedAt,
            @JsonProperty("ready") Boolean ready,
            @JsonProperty("ready_source") String readySource,
            @JsonProperty("live") Boolean live,
            @JsonProperty("sidecar") String sidecar,
            @JsonProperty("published") String published) {
    }

    /** The bootstrap Lease as {@code agent status} shows it; the JSON says {@code free}, {@code held} or {@code expired}. */
    enum LeaseState {
        FREE, HELD, EXPIRED;

        @JsonValue
        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether the pods share one history; the JSON says {@code none} (no pod has state), {@code one} or {@code different}. */
    enum HistoryState {
        NONE, ONE, DIFFERENT;

        @JsonValue
        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LeaseView(
            @JsonProperty("name") String name,
            @JsonProperty("state") LeaseState state,
            @JsonProperty("holder") String holder,
            @JsonProperty("since") String since,
            @JsonProperty("held_for_seconds") Long heldForSeconds,
            @JsonProperty("expires") String expires,
            @JsonProperty("uuid") String uuid,
            @JsonProperty("seqno") Long seqno) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record HistoryView(
            @JsonProperty("state") HistoryState state,
            @JsonProperty("uuids") Map<String, List<Integer>> uuids) {
    }

    record EventView(
            @JsonProperty("time") String time,
            @JsonProperty("pod") String pod,
            @JsonProperty("reason") String reason,
            @JsonProperty("type") String type,
            @JsonProperty("message") String message) {
    }

    static Summary summarize(Inputs in) {
        StatefulSetInfo sts = in.sts();
        List<Row> rows = new ArrayList<>();
        // in the order of the first pod holding each: the table reads top down
        Map<String, List<Integer>> uuids = new LinkedHashMap<>();
        for (int i = 0; i < sts.replicas(); i++) {
            Row row = row(in, i);
            rows.add(row);
            if (row.uuid() != null && !row.uuid().equals(ZERO_UUID)) {
                uuids.computeIfAbsent(row.uuid(), u -> new ArrayList<>()).add(i);
            }
        }
        HistoryView history = new HistoryView(uuids.isEmpty() ? HistoryState.NONE : uuids.size() == 1 ? HistoryState.ONE : HistoryState.DIFFERENT, uuids);
        LeaseView lease = in.lease().map(l -> lease(l, in.now())).orElse(null);
        List<EventView> events = null;
        String unreadable = null;
        switch (in.history()) {
            case History.Read r -> events = recentDecisions(r.events());
            case History.Unreadable u -> unreadable = u.why();
        }
        List<String> advice = ClusterAdvice.of(in, rows, history);
        return new Summary(sts.namespace(), sts.name(), sts.replicas(), in.now().truncatedTo(ChronoUnit.SECONDS).toString(), rows, lease, history, events, unreadable, advice);
    }

    private static Row row(Inputs in, int ordinal) {
        StatefulSetInfo sts = in.sts();
        PodInfo pod = in.pods().get(ordinal);
        PublishedState published = in.states().published().get(ordinal);
        String publication = published != null ? "published"
                : in.states().malformed().containsKey(ordinal) ? "malformed: " + in.states().malformed().get(ordinal)
                : in.states().unpublished().contains(ordinal) ? "nothing published" : "no such pod";
        NodeStatus status = null;
        String sidecar = null;
        PeerStatus answer = in.sidecars().get(ordinal);
        switch (answer) {
            case null -> sidecar = pod != null && pod.ip() == null && !in.sidecars().isEmpty() ? "no pod IP" : null;
            case PeerStatus.Live l -> {
                status = l.status();
                sidecar = l.status().error() != null ? l.status().reason() + " (" + l.status().error() + ")" : l.status().reason();
            }
            case PeerStatus.NotLive n -> sidecar = "no answer: " + n.reason();
        }
        String galera = status == null ? null : status.wsrepClusterStatus() == null ? "not running"
                : status.wsrepClusterStatus() + (status.wsrepLocalStateComment() == null ? "" : "/" + status.wsrepLocalStateComment());
        String uuid = status != null && status.wsrepClusterStateUuid() != null ? status.wsrepClusterStateUuid()
                : published != null ? published.uuid()
                : status != null && status.grastate() != null ? status.grastate().uuid() : null;
        Long seqno = status != null && status.wsrepLastCommitted() != null ? status.wsrepLastCommitted()
                : published != null && !published.empty() ? Long.valueOf(published.seqno())
                : status != null && status.grastate() != null ? Long.valueOf(status.grastate().seqno()) : null;
        // the sidecar's last_decision is the hand-off this container started from: newer than a stale annotation. A
        // bootstrap still inspecting (its init container restarted after a REFUSE) has decided nothing yet: the last
        // decision is then the published one
        PublishedState decision = status != null && status.lastDecision() != null && status.lastDecision().decision() != null
                ? status.lastDecision() : published;
        Boolean ready = status != null ? Boolean.valueOf(status.ready()) : pod == null ? null : pod.ready();
        String readySource = status != null ? "sidecar" : ready != null ? "kubelet" : null;
        return new Row(sts.podName(ordinal), ordinal,
                pod == null ? "absent" : pod.deleting() ? "Terminating" : pod.phase() == null ? "Unknown" : pod.phase(),
                pod == null ? null : pod.restarts(),
                published == null ? null : published.phase(),
                galera, uuid, seqno,
                decision == null ? null : decision.decision(),
                decision == null ? null : decision.forcedFrom(),
                decision == null ? List.of() : decision.reasons(),
                decision == null ? null : decision.time(),
                ready, readySource,
                status == null ? null : Boolean.valueOf(status.live()),
                sidecar, publication);
    }

    private static LeaseView lease(LeaseRecord l, Instant now) {
        LeaseState state = l.holder() == null ? LeaseState.FREE : l.heldAt(now) ? LeaseState.HELD : LeaseState.EXPIRED;
        Long heldFor = l.holder() != null && l.acquired() != null ? Duration.between(l.acquired(), now).toSeconds() : null;
        return new LeaseView(l.name(), state, l.holder(), l.acquired() == null ? null : l.acquired().toString(), heldFor,
                l.holder() == null ? null : l.expiresAt().toString(), l.clusterUuid(), l.seqno());
    }

    /** The last {@value #HISTORY_PER_POD} Events per pod, oldest first. */
    private static List<EventView> recentDecisions(List<AgentEvent> events) {
        Map<String, List<AgentEvent>> byPod = new LinkedHashMap<>();
        for (AgentEvent e : events) {
            byPod.computeIfAbsent(e.pod(), p -> new ArrayList<>()).add(e);
        }
        List<AgentEvent> kept = new ArrayList<>();
        byPod.values().forEach(list -> kept.addAll(list.subList(Math.max(0, list.size() - HISTORY_PER_POD), list.size())));
        return events.stream().filter(kept::contains)
                .map(e -> new EventView(e.time() == null ? null : e.time().toString(), e.pod(), e.reason(), e.type(), e.message()))
                .toList();
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
    }
}
