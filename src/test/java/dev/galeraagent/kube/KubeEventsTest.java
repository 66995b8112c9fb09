package dev.galeraagent.kube;

import dev.galeraagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.bootstrap.LeaseGrant;
import dev.galeraagent.position.Position;
import dev.galeraagent.log.Log;
import dev.galeraagent.handoff.HandOffTask;
import dev.galeraagent.handoff.HandOffTask.Step;
import dev.galeraagent.probe.Observation;
import dev.galeraagent.status.PublishedState;
import io.fabric8.kubernetes.api.model.Event;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The agent's Kubernetes Events, against fabric8's mock API server in CRUD mode: written, read back, never fatal. */
class KubeEventsTest {
    static final String NS = "db";
    static final String UUID = "6b2f1a4e-0000-11ef-8000-000000000001";

    @TempDir
    Path dir;
    @RegisterExtension
    final MockKubeServer kube = new MockKubeServer("127.0.70.1", NS);
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, "galera", 3, List.of(0, 1, 2));
        Log.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        Log.setOutput(System.err);
    }

    KubeApi agent() {
        return kube.mock().agent(kube.kubeconfig(), NS, clock);
    }

    static PublishedState decided(int ordinal, String decision, List<String> reasons, Integer forcedFrom) {
        return new PublishedState(ordinal, "WAIT".equals(decision) ? "waiting" : "REFUSE".equals(decision) ? "refused" : "decided",
                false, UUID, 42, false, false, decision, reasons, forcedFrom, "2026-11-26T10:00:00Z", "0.1.0");
    }

    @Test
    void anEventIsACoreV1EventOnThePodThatKubectlDescribeFindsByItsUid() {
        try (KubeApi api = agent()) {
            api.events("galera-1", "galera").bootstrapRefused(List.of("the pods do not share one cluster history"));
        }
        String uid = kube.mock().admin().pods().inNamespace(NS).withName("galera-1").get().getMetadata().getUid();
        // kubectl describe pod lists Events by involvedObject name, namespace, kind and uid (field selectors the mock
        // does not filter on: so the fields themselves are checked)
        List<Event> found = kube.mock().admin().v1().events().inNamespace(NS).list().getItems();
        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getInvolvedObject()).satisfies(o -> {
                assertThat(o.getKind()).isEqualTo("Pod");
                assertThat(o.getName()).isEqualTo("galera-1");
                assertThat(o.getNamespace()).isEqualTo(NS);
                assertThat(o.getUid()).isEqualTo(uid).isNotBlank();
            });
            assertThat(e.getReason()).isEqualTo("BootstrapRefused");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).isEqualTo("REFUSE: the pods do not share one cluster history");
            assertThat(e.getSource().getComponent()).isEqualTo("galera-agent");
            assertThat(e.getFirstTimestamp()).isEqualTo("2026-11-26T10:00:00Z");
            assertThat(e.getMetadata().getLabels()).containsEntry(KubeEvents.STATEFULSET_LABEL, "galera");
        });
    }

    @Test
    void decisionsAreKeptAsEventsAndAWaitRepeatedEveryRoundIsRecordedOnce() {
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = api.statefulSet("galera-0", Optional.of("galera"));
            KubeStateBoard board = new KubeStateBoard(api, sts, 0, Duration.ofSeconds(60));
            List<String> waiting = List.of("waiting for pods [2] to publish their state: 2 of 3 known");
            board.decided(decided(0, "WAIT", waiting, null));
            clock.advance(Duration.ofSeconds(1));
            board.decided(decided(0, "WAIT", waiting, null));
            clock.advance(Duration.ofSeconds(1));
            board.decided(decided(0, "BOOTSTRAP_FROM_HERE", List.of("pod 0 has the highest seqno 42"), null));
            LeaseGrant grant = board.acquireLease("galera-0", Optional.of(Position.parse("test", UUID + ":42")));
            assertThat(grant).isInstanceOf(LeaseGrant.Held.class);
            clock.advance(Duration.ofSeconds(1));
            board.releaseLease("galera-0");
            board.releaseLease("galera-0"); // not held any more: nothing released, nothing recorded

            assertThat(api.agentEvents(sts)).extracting(AgentEvent::pod, AgentEvent::reason, AgentEvent::message).containsExactly(
                    tuple("galera-0", "BootstrapWaiting", "WAIT: " + waiting.getFirst()),
                    tuple("galera-0", "BootstrapDecision", "BOOTSTRAP_FROM_HERE: pod 0 has the highest seqno 42"),
                    tuple("galera-0", "LeaseTaken", "galera-0 took Lease galera-galera-bootstrap to bootstrap from "
                            + UUID + ":42, held until 2026-11-26T10:01:02Z unless renewed"),
                    tuple("galera-0", "LeaseReleased", "galera-0 released Lease galera-galera-bootstrap: "
                            + "a Primary component appeared before it bootstrapped (or its decision could not be published): it decides again"));
            assertThat(api.agentEvents(sts)).extracting(AgentEvent::time).isSorted().doesNotContainNull();
        }
    }

    @Test
    void aForcedDecisionIsAnOverrideAndTheSameDecisionAfterAnotherIsRecordedAgain() {
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = api.statefulSet("galera-1", Optional.of("galera"));
            KubeStateBoard board = new KubeStateBoard(api, sts, 1, Duration.ofSeconds(60));
            board.decided(decided(1, "REFUSE", List.of("the pods do not share one cluster history"), null));
            board.decided(decided(1, "BOOTSTRAP_FROM_HERE", List.of("a person chose pod 1 with --force-bootstrap-from=1"), 1));
            board.decided(decided(1, "REFUSE", List.of("the pods do not share one cluster history"), null));
            assertThat(api.agentEvents(sts)).extracting(AgentEvent::reason, AgentEvent::type).containsExactly(
                    tuple("BootstrapRefused", "Warning"),
                    tuple("BootstrapOverride", "Warning"),
                    tuple("BootstrapRefused", "Warning"));
            assertThat(api.agentEvents(sts).get(1).message())
                    .isEqualTo("BOOTSTRAP_FROM_HERE under --force-bootstrap-from=1: a person chose pod 1 with --force-bootstrap-from=1");
        }
    }

    @Test
    void theSidecarRecordsTheHandOffAndTheLeaseReleaseOnItsPod() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path oneShot = Files.createDirectories(conf.resolve(HandOff.ONE_SHOT_DIR)).resolve("bootstrap.cnf");
        String lease = "galera-galera-bootstrap";
        AtomicReference<Observation> status = new AtomicReference<>(new Observation.Answered(Map.of("wsrep_cluster_status", "non-Primary")));
        try (KubeApi api = agent()) {
            assertThat(api.lease(lease).tryAcquire("galera-1", Optional.of(Position.parse("position", UUID + ":42")), Duration.ofSeconds(30))).isInstanceOf(LeaseOutcome.Acquired.class);
            String json = new HandOff("BOOTSTRAP_FROM_HERE", "galera-1", 1, Position.parse("position", UUID + ":42"), oneShot.toString(), List.of("highest seqno"),
                    clock.instant().toString(), "0.1.0").toJson();
            Files.writeString(conf.resolve(HandOff.REQUEST), json.substring(0, json.length() - 1) + ",\"lease\":{\"name\":\"" + lease + "\"}}\n");
            Files.writeString(oneShot, "[mysqld]\nwsrep_new_cluster\n");
            HandOffTask task = new HandOffTask(conf, () -> status.get().wsrepStatus(), (namespace, name) -> api.lease(name), "galera-1", NS, clock,
                    api.events("galera-1", "galera"));
            assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
            status.set(new Observation.Answered(Map.of("wsrep_cluster_status", "Primary", "wsrep_local_state_comment", "Synced", "wsrep_connected", "ON")));
            assertThat(task.step()).isEqualTo(Step.COMPLETED);
            StatefulSetInfo sts = api.statefulSet("galera-1", Optional.of("galera"));
            assertThat(api.agentEvents(sts)).extracting(AgentEvent::pod, AgentEvent::reason).containsExactly(
                    tuple("galera-1", "HandOffComplete"),
                    tuple("galera-1", "LeaseReleased"));
            assertThat(api.agentEvents(sts).getFirst().message()).startsWith("node is Primary: BOOTSTRAP_FROM_HERE done, removed the one-shot " + oneShot);
        }
    }

    @Test
    void anUnreachableApiIsOneWarningAndNeverAnException() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.70.2"))) {
            port = closed.getLocalPort();
        }
        Path dead = dir.resolve("dead-kubeconfig");
        Files.writeString(dead, Files.readString(kube.kubeconfig()).replace(kube.mock().url(), "http://127.0.70.2:" + port));
        try (KubeApi api = kube.mock().agent(dead, NS, clock)) {
            EventSink sink = api.events("galera-0", "galera");
            sink.bootstrapDecision("JOIN", List.of("pods [1] are in a live Primary component"));
            long started = System.nanoTime();
            sink.leaseReleased("galera-galera-bootstrap", "galera-0", "done");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no call once the API is known unreachable").isLessThan(Duration.ofMillis(100));
        }
        assertThat(log.toString().lines().filter(l -> l.contains("WARN  [events] cannot record Event BootstrapDecision on pod galera-0"))).hasSize(1);
        assertThat(log.toString()).doesNotContain("LeaseReleased");
    }
}
