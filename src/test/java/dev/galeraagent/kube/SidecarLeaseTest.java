package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.testing.MutableClock;
import dev.galeraagent.handoff.LeaseRecord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.log.Log;
import dev.galeraagent.handoff.HandOffTask;
import dev.galeraagent.handoff.HandOffTask.Step;
import dev.galeraagent.probe.Observation;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar's rule-10 task holding the bootstrap Lease, against fabric8's mock API server in CRUD mode. */
class SidecarLeaseTest {
    static final String NS = "db";
    static final String LEASE = "galera-galera-bootstrap";
    static final String UUID = "6b2f1a4e-0000-11ef-8000-000000000001";
    static final Duration TERM = Duration.ofSeconds(30);
    static final Observation NOT_PRIMARY = new Observation.Answered(Map.of("wsrep_cluster_status", "non-Primary",
            "wsrep_local_state_comment", "Initialized"));
    static final Observation PRIMARY = new Observation.Answered(Map.of("wsrep_cluster_status", "Primary",
            "wsrep_local_state_comment", "Synced", "wsrep_connected", "ON"));

    @TempDir
    Path dir;
    Path conf;
    Path oneShot;
    @RegisterExtension
    final MockKubeServer kube = new MockKubeServer("127.0.60.1", NS);
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final List<KubeApi> apis = new ArrayList<>();
    final AtomicReference<Observation> status = new AtomicReference<>(NOT_PRIMARY);
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        conf = Files.createDirectories(dir.resolve("conf"));
        oneShot = Files.createDirectories(conf.resolve(HandOff.ONE_SHOT_DIR)).resolve("bootstrap.cnf");
        Log.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        Log.setOutput(System.err);
        apis.forEach(KubeApi::close);
    }

    KubeApi api(Path config, String namespace) {
        KubeApi api = new KubeApi(KubeClients.connect(Optional.of(config), Duration.ofSeconds(2)), namespace, clock);
        apis.add(api);
        return api;
    }

    BootstrapLease lease() {
        return api(kube.kubeconfig(), NS).lease(LEASE);
    }

    Lease stored() {
        return kube.mock().admin().leases().inNamespace(NS).withName(LEASE).get();
    }

    /** What {@code agent bootstrap} leaves behind: the Lease taken, the hand-off naming it, the one-shot file. */
    void bootstrapTookTheLeaseAndWrote(String leaseJson) throws Exception {
        assertThat(lease().tryAcquire("galera-1", Optional.of(Position.parse("position", UUID + ":42")), TERM)).isInstanceOf(LeaseOutcome.Acquired.class);
        String json = new HandOff("BOOTSTRAP_FROM_HERE", "galera-1", 1, Position.parse("position", UUID + ":42"), oneShot.toString(), List.of("highest seqno"),
                clock.instant().toString(), "0.1.0").toJson();
        Files.writeString(conf.resolve(HandOff.REQUEST), json.substring(0, json.length() - 1) + ",\"lease\":" + leaseJson + "}\n");
        Files.writeString(oneShot, "[mysqld]\nwsrep_new_cluster\nwsrep_start_position=" + UUID + ":42\n");
    }

    HandOffTask task(HandOffTask.LeaseOpener opener) {
        return new HandOffTask(conf, () -> status.get().wsrepStatus(), opener, "galera-1", NS, clock);
    }

    HandOffTask task() {
        return task((namespace, name) -> api(kube.kubeconfig(), namespace).lease(name));
    }

    @Test
    void theSidecarRenewsTheLeaseEveryThirdOfItsTermUntilPrimaryThenReleasesIt() throws Exception {
        bootstrapTookTheLeaseAndWrote("{\"namespace\":\"db\",\"name\":\"" + LEASE + "\",\"holder\":\"galera-1\",\"duration_seconds\":30}");
        HandOffTask task = task();
        Instant t0 = clock.instant();

        clock.advance(Duration.ofSeconds(1));
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        assertThat(stored().getSpec().getRenewTime().toInstant()).isEqualTo(t0.plusSeconds(1));

        clock.advance(Duration.ofSeconds(9));
        task.step();
        assertThat(stored().getSpec().getRenewTime().toInstant()).as("not due before a third of the term").isEqualTo(t0.plusSeconds(1));

        clock.advance(Duration.ofSeconds(1));
        task.step();
        assertThat(stored().getSpec().getRenewTime().toInstant()).isEqualTo(t0.plusSeconds(11));
        assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("galera-1");
        assertThat(stored().getSpec().getLeaseDurationSeconds()).isEqualTo(30);

        status.set(PRIMARY);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(stored().getSpec().getHolderIdentity()).as("released").isNull();
        assertThat(stored().getMetadata().getAnnotations()).containsEntry(LeaseRecord.UUID_ANNOTATION, UUID)
                .containsEntry(LeaseRecord.SEQNO_ANNOTATION, "42");
        assertThat(oneShot).doesNotExist();
        assertThat(conf.resolve(HandOff.DONE)).exists();
        assertThat(log.toString()).contains("holding Lease db/" + LEASE + " for galera-1 until the node is Primary");
    }

    @Test
    void withoutNamespaceHolderOrDurationTheLeaseIsThePodsOwnInItsNamespace() throws Exception {
        bootstrapTookTheLeaseAndWrote("{\"name\":\"" + LEASE + "\"}");
        HandOffTask task = task();
        clock.advance(Duration.ofSeconds(3));
        task.step();
        assertThat(stored().getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
        assertThat(stored().getSpec().getLeaseDurationSeconds()).as("the default term").isEqualTo(60);
        status.set(PRIMARY);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(stored().getSpec().getHolderIdentity()).isNull();
    }

    @Test
    void aLostLeaseIsReportedLoudlyDropsTheBootstrapSettingAndTheHandOffStillCompletes() throws Exception {
        bootstrapTookTheLeaseAndWrote("{\"name\":\"" + LEASE + "\",\"holder\":\"galera-1\",\"duration_seconds\":30}");
        // the sidecar never came: the term ran out and another pod took the Lease
        clock.advance(Duration.ofSeconds(31));
        assertThat(lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID + ":42")), TERM)).isInstanceOf(LeaseOutcome.Acquired.class);

        HandOffTask task = task();
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        assertThat(log.toString()).contains("ERROR [handoff] LOST the bootstrap Lease db/" + LEASE + ": galera-1 no longer holds it");
        assertThat(log.toString().lines().filter(l -> l.contains("LOST")).count()).isEqualTo(1);
        assertThat(oneShot).as("without the Lease a restart of mariadbd must not bootstrap again").doesNotExist();
        assertThat(conf.resolve(HandOff.REQUEST)).as("the hand-off itself completes once Primary").exists();
        clock.advance(Duration.ofSeconds(20));
        task.step();
        assertThat(log.toString().lines().filter(l -> l.contains("LOST")).count()).as("said once, not at every run").isEqualTo(1);

        status.set(PRIMARY);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(stored().getSpec().getHolderIdentity()).as("the other pod's hold is untouched").isEqualTo("galera-2");
        assertThat(oneShot).doesNotExist();
    }

    @Test
    void anUnreachableApiDoesNotHoldUpTheHandOff() throws Exception {
        bootstrapTookTheLeaseAndWrote("{\"name\":\"" + LEASE + "\",\"holder\":\"galera-1\",\"duration_seconds\":30}");
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.60.2"))) {
            port = closed.getLocalPort();
        }
        Path deadConfig = dir.resolve("dead-kubeconfig");
        Files.writeString(deadConfig, Files.readString(kube.kubeconfig()).replace(kube.mock().url(), "http://127.0.60.2:" + port));
        HandOffTask task = task((namespace, name) -> api(deadConfig, namespace).lease(name));
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        assertThat(log.toString()).contains("WARN  [handoff] cannot renew Lease db/" + LEASE);
        status.set(PRIMARY);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(oneShot).doesNotExist();
        assertThat(log.toString()).contains("cannot release Lease db/" + LEASE).contains("expires by itself 30s after its last renewal");
        assertThat(stored().getSpec().getHolderIdentity()).as("left to expire").isEqualTo("galera-1");
    }

    @Test
    void withTheApiOffTheLeaseIsLeftToExpireAndTheHandOffCompletes() throws Exception {
        bootstrapTookTheLeaseAndWrote("{\"name\":\"" + LEASE + "\",\"holder\":\"galera-1\",\"duration_seconds\":30}");
        Instant taken = stored().getSpec().getRenewTime().toInstant();
        HandOffTask task = task(null);
        clock.advance(Duration.ofSeconds(15));
        assertThat(task.step()).isEqualTo(Step.WAITING_FOR_PRIMARY);
        assertThat(log.toString()).contains("the Kubernetes API is off (--no-kube-api)");
        status.set(PRIMARY);
        assertThat(task.step()).isEqualTo(Step.COMPLETED);
        assertThat(stored().getSpec().getRenewTime().toInstant()).isEqualTo(taken);
        assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("galera-1");
    }
}
