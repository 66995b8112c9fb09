package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.cli.ClusterView.History;
import dev.galeraagent.cli.ClusterView.Inputs;
import dev.galeraagent.cli.ClusterView.Summary;
import dev.galeraagent.discovery.PeerStatus;
import dev.galeraagent.kube.AgentEvent;
import dev.galeraagent.handoff.LeaseRecord;
import dev.galeraagent.kube.PodInfo;
import dev.galeraagent.kube.PodStates;
import dev.galeraagent.kube.StatefulSetInfo;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The pure part of {@code agent status}: what was read in, rows and advice out. */
class ClusterViewTest {
    static final String A = "6f1b3c1e-1111-11ef-9a3c-0242ac120002";
    static final String B = "0c9d2e7a-2222-11ef-8b1d-0242ac120003";
    static final Instant NOW = Instant.parse("2026-11-26T10:30:00Z");
    static final StatefulSetInfo STS = new StatefulSetInfo("db", "galera", 3, Map.of("app", "galera"));

    final Map<Integer, PublishedState> published = new HashMap<>();
    final TreeSet<Integer> unpublished = new TreeSet<>();
    final TreeMap<Integer, String> malformed = new TreeMap<>();
    final TreeSet<Integer> missing = new TreeSet<>();
    final TreeMap<Integer, PodInfo> pods = new TreeMap<>();
    final Map<Integer, PeerStatus> sidecars = new HashMap<>();
    Optional<LeaseRecord> lease = Optional.empty();
    History history = new History.Read(List.of());

    static PublishedState state(int ordinal, String phase, String uuid, long seqno, String decision, String... reasons) {
        return new PublishedState(ordinal, phase, uuid == null, uuid, seqno, false, false, decision, List.of(reasons), null,
                "2026-11-26T10:00:00Z", "0.1.0");
    }

    void pod(int ordinal, String phase, String ip) {
        pods.put(ordinal, new PodInfo(ordinal, "galera-" + ordinal, phase, ip, false, 0, false));
    }

    Summary summary() {
        return ClusterView.summarize(new Inputs(STS, new PodStates(STS, new TreeMap<>(published), unpublished, malformed, missing), pods,
                sidecars, lease, history, NOW, Duration.ofMinutes(10)));
    }

    @Test
    void theLiveStatusBeatsThePublishedStateWhichBeatsNothing() {
        published.put(0, state(0, "decided", A, 10, "NEW_CLUSTER", "fresh cluster"));
        published.put(1, state(1, "decided", A, 12, "JOIN", "pods [0] are Primary"));
        unpublished.add(2);
        pod(0, "Running", "10.0.0.10");
        pod(1, "Running", "10.0.0.11");
        pods.put(2, new PodInfo(2, "galera-2", "Running", "10.0.0.12", true, 3, false));
        sidecars.put(0, new PeerStatus.Live(0, "galera-0", URI.create("http://10.0.0.10:9800/status"),
                new NodeStatus("0.1.0", "galera-0", 0, "Primary", "Donor/Desynced", A, 1500L, 2, true, true, false, true,
                        "not ready: Donor/Desynced", null, null, null)));
        sidecars.put(1, new PeerStatus.NotLive(1, "galera-1", URI.create("http://10.0.0.11:9800/status"), "connection refused"));

        List<ClusterView.Row> rows = summary().pods();
        assertThat(rows.get(0)).satisfies(r -> {
            assertThat(r.galera()).isEqualTo("Primary/Donor/Desynced");
            assertThat(r.seqno()).as("wsrep_last_committed, not the stale published seqno").isEqualTo(1500L);
            assertThat(r.ready()).isFalse();
            assertThat(r.readySource()).isEqualTo("sidecar");
            assertThat(r.live()).isTrue();
            assertThat(r.decision()).as("from the published state when /status has no last_decision").isEqualTo("NEW_CLUSTER");
        });
        assertThat(rows.get(1)).satisfies(r -> {
            assertThat(r.galera()).isNull();
            assertThat(r.seqno()).isEqualTo(12L);
            assertThat(r.ready()).isFalse();
            assertThat(r.readySource()).isEqualTo("kubelet");
            assertThat(r.live()).isNull();
            assertThat(r.sidecar()).isEqualTo("no answer: connection refused");
        });
        assertThat(rows.get(2)).satisfies(r -> {
            assertThat(r.uuid()).isNull();
            assertThat(r.restarts()).isEqualTo(3);
            assertThat(r.ready()).isTrue();
            assertThat(r.published()).isEqualTo("nothing published");
        });
        assertThat(ClusterTable.render(summary())).containsPattern("galera-2 +Running\\(3\\) +- +- +- +- +yes \\(kubelet\\)");
    }

    /** Seen in e2e S10: the refused pod's init container ran again, and its new run's /status had decided nothing yet. */
    @Test
    void aBootstrapRunThatHasNotDecidedYetDoesNotHideThePreviousRunsRefusal() {
        published.put(2, state(2, "refused", B, 1, "REFUSE", "the pods do not share one cluster history"));
        pod(2, "Running", "10.0.0.12");
        sidecars.put(2, new PeerStatus.Live(2, "galera-2", URI.create("http://10.0.0.12:9800/status"),
                new NodeStatus("0.1.0", "galera-2", 2, null, null, null, null, null, null, null, false, true,
                        "agent bootstrap: inspecting", null, state(2, "inspecting", B, 1, null), null)));

        ClusterView.Row r = summary().pods().get(2);
        assertThat(r.decision()).isEqualTo("REFUSE");
        assertThat(r.reasons()).containsExactly("the pods do not share one cluster history");
        assertThat(ClusterTable.render(summary())).containsPattern("galera-2 +\\S+ +refused .* REFUSE");
    }

    @Test
    void oneHistoryIgnoresEmptyPodsAndTheZeroUuid() {
        published.put(0, state(0, "waiting", A, 10, "WAIT", "x"));
        published.put(1, state(1, "waiting", null, -1, "WAIT", "x"));
        published.put(2, state(2, "waiting", ClusterView.ZERO_UUID, -1, "WAIT", "x"));
        assertThat(summary().history().state()).isEqualTo(ClusterView.HistoryState.ONE);
        assertThat(summary().history().uuids()).containsExactly(Map.entry(A, List.of(0)));
        published.clear();
        assertThat(summary().history().state()).isEqualTo(ClusterView.HistoryState.NONE);
    }

    @Test
    void refusedOverDifferentHistoriesNamesTheOverrideAndTheBestSeqnoOfEachHistory() {
        published.put(0, state(0, "refused", A, 10, "REFUSE", "different histories"));
        published.put(1, state(1, "refused", B, 99, "REFUSE", "different histories"));
        published.put(2, state(2, "refused", A, 12, "REFUSE", "different histories"));
        Summary s = summary();
        assertThat(s.history().state()).isEqualTo(ClusterView.HistoryState.DIFFERENT);
        assertThat(s.history().uuids()).containsExactly(Map.entry(A, List.of(0, 2)), Map.entry(B, List.of(1)));
        assertThat(s.advice()).singleElement().asString()
                .startsWith("pods [0, 1, 2] REFUSED to start: the pods hold different histories (" + A + " on [0, 2], " + B + " on [1])")
                .contains("the highest seqno of " + A + " is pod 2's 12; the highest seqno of " + B + " is pod 1's 99")
                .contains("kubectl -n db set env statefulset/galera -c bootstrap AGENT_FORCE_BOOTSTRAP_FROM=<ordinal>");
        assertThat(s.actionNeeded()).isTrue();
    }

    @Test
    void refusedForAnotherReasonQuotesItAndPointsAtTheLog() {
        published.put(1, state(1, "refused", A, 10, "REFUSE", "this pod holds another cluster history", "joining would replace it"));
        published.put(0, state(0, "decided", A, 10, "BOOTSTRAP_FROM_HERE", "highest seqno"));
        published.put(2, state(2, "decided", A, 10, "JOIN", "Primary"));
        assertThat(summary().advice()).containsExactly("pods [1] REFUSED to start: this pod holds another cluster history; "
                + "joining would replace it (kubectl -n db logs galera-1 -c bootstrap)");
    }

    @Test
    void waitingForAPodThatNeverReportedSaysWhyItIsSilent() {
        published.put(0, state(0, "waiting", A, 10, "WAIT", "waiting for pods [1, 2]"));
        unpublished.add(1);
        missing.add(2);
        pod(0, "Pending", "10.0.0.10");
        pod(1, "Running", "10.0.0.11");
        assertThat(summary().advice()).singleElement().asString()
                .startsWith("pods [0] wait for galera-1 (Running, no state published), galera-2 (no such pod), which never reported its state");
    }

    @Test
    void waitingWhileEveryPodReportedNeedsNobody() {
        published.put(0, state(0, "waiting", A, 10, "WAIT", "waiting for pod 1 to bootstrap, then joining it (rule 4)"));
        published.put(1, state(1, "inspecting", A, 12, null));
        published.put(2, state(2, "waiting", A, 9, "WAIT", "waiting for pod 1 to bootstrap, then joining it (rule 4)"));
        assertThat(summary().advice()).isEmpty();
        assertThat(ClusterTable.render(summary())).contains("To do: nothing");
    }

    @Test
    void aMalformedStateIsSaid() {
        malformed.put(1, "not a valid PublishedState document: empty (null)");
        assertThat(summary().advice()).containsExactly("pod galera-1 carries an unreadable published state (not a valid PublishedState "
                + "document: empty (null)): it counts as not reported; its agent rewrites it on its next run");
    }

    @Test
    void aLeaseHeldLongerThanTheLimitIsAdviceAShorterOneIsNot() {
        lease = Optional.of(new LeaseRecord("galera-galera-bootstrap", "galera-1", A, 12L, NOW.minus(Duration.ofMinutes(9)),
                NOW.minusSeconds(5), Duration.ofSeconds(60), 1));
        assertThat(summary().advice()).isEmpty();
        assertThat(summary().lease().state()).isEqualTo(ClusterView.LeaseState.HELD);
        assertThat(summary().lease().heldForSeconds()).isEqualTo(540);
        assertThat(ClusterTable.render(summary())).contains("Lease: galera-galera-bootstrap held by galera-1 since 2026-11-26T10:21:00Z (9m), "
                + "expires 2026-11-26T10:30:55Z (uuid " + A + ", seqno 12)");
        lease = Optional.of(new LeaseRecord("galera-galera-bootstrap", "galera-1", A, 12L, NOW.minus(Duration.ofMinutes(11)),
                NOW.minus(Duration.ofMinutes(3)), Duration.ofSeconds(60), 1));
        assertThat(summary().lease().state()).isEqualTo(ClusterView.LeaseState.EXPIRED);
        assertThat(summary().advice()).singleElement().asString().contains("held by galera-1 since 2026-11-26T10:19:00Z (11m)");
    }

    @Test
    void theHistoryKeepsTheLastEventsOfEachPod() {
        List<AgentEvent> events = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            events.add(new AgentEvent("galera-0", "BootstrapWaiting", "Normal", "WAIT " + i, NOW.minusSeconds(100 - i)));
        }
        events.add(new AgentEvent("galera-1", "BootstrapRefused", "Warning", "REFUSE", NOW.minusSeconds(50)));
        history = new History.Read(events);
        assertThat(summary().events()).extracting(ClusterView.EventView::message)
                .containsExactly("WAIT 2", "WAIT 3", "WAIT 4", "WAIT 5", "WAIT 6", "WAIT 7", "REFUSE");
    }

    @Test
    void anUnreadableHistoryIsSaidAndTheRestIsShown() {
        history = new History.Unreadable("not allowed to list events");
        published.put(0, state(0, "decided", A, 10, "NEW_CLUSTER", "fresh cluster"));
        String table = ClusterTable.render(summary());
        assertThat(table).contains("Recent events: not readable: not allowed to list events").contains("galera-0: NEW_CLUSTER");
        assertThat(StatusJson.write(summary())).contains("\"events_unreadable\":\"not allowed to list events\"").doesNotContain("\"events\":");
    }

    @Test
    void theJsonUsesTheContractsSnakeCaseNames() {
        published.put(0, state(0, "decided", A, 10, "NEW_CLUSTER", "fresh cluster"));
        pod(0, "Running", null);
        String json = StatusJson.write(summary());
        assertThat(json).contains("\"statefulset\":\"galera\"", "\"pod_phase\":\"Running\"", "\"agent_phase\":\"decided\"",
                "\"decided_at\":\"2026-11-26T10:00:00Z\"", "\"history\":{\"state\":\"one\"", "\"advice\":[]");
    }

    @Test
    void durationsReadAsPeopleSayThem() {
        assertThat(ClusterView.human(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(ClusterView.human(Duration.ofSeconds(600))).isEqualTo("10m");
        assertThat(ClusterView.human(Duration.ofSeconds(605))).isEqualTo("10m5s");
        assertThat(ClusterView.human(Duration.ofHours(3).plusMinutes(4))).isEqualTo("3h4m");
    }
}
