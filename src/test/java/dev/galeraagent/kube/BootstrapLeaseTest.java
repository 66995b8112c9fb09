package dev.galeraagent.kube;

import dev.galeraagent.position.Position;
import dev.galeraagent.testing.MutableClock;
import dev.galeraagent.handoff.LeaseRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BootstrapLeaseTest {
    static final String NS = "db";
    static final String UUID_A = "6f1b3c1e-1111-11ef-9a3c-0242ac120002";
    static final StatefulSetInfo STS = new StatefulSetInfo(NS, "galera", 3, Map.of());
    static final Duration TERM = Duration.ofSeconds(30);

    @RegisterExtension
    final MockKubeServer kube = new MockKubeServer("127.0.40.1", NS);
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final List<KubeApi> agents = new ArrayList<>();

    @AfterEach
    void stopServer() {
        agents.forEach(KubeApi::close);
    }

    private BootstrapLease lease() {
        KubeApi api = kube.mock().agent(kube.kubeconfig(), NS, clock);
        agents.add(api);
        return api.lease(STS);
    }

    private Lease stored() {
        return kube.mock().admin().leases().inNamespace(NS).withName("galera-galera-bootstrap").get();
    }

    @Test
    void theFirstComerCreatesTheLeaseAndRecordsItsPosition() {
        LeaseOutcome outcome = lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        assertThat(outcome).isInstanceOf(LeaseOutcome.Acquired.class);
        assertThat(outcome.lease()).isEqualTo(new LeaseRecord("galera-galera-bootstrap", "galera-2", UUID_A, 1234L,
                clock.instant(), clock.instant(), TERM, 0, "galera-2"));
        Lease lease = stored();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("galera-2");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(30);
        assertThat(lease.getMetadata().getAnnotations())
                .containsEntry(LeaseRecord.UUID_ANNOTATION, UUID_A)
                .containsEntry(LeaseRecord.SEQNO_ANNOTATION, "1234");
    }

    /** As k8s/galera-statefulset.yaml creates it, so that the Role needs no create: no spec fields, no annotations. */
    @Test
    void theManifestsEmptyLeaseIsTakenWithoutACreateAndSecondComersAreToldWhoHoldsIt() throws InterruptedException {
        kube.mock().admin().leases().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                .withNewMetadata().withName("galera-galera-bootstrap").withLabels(java.util.Map.of("app.kubernetes.io/name", "galera"))
                .endMetadata().withNewSpec().endSpec().build()).create();
        assertThat(lease().current()).get().satisfies(free -> {
            assertThat(free.holder()).isNull();
            assertThat(free.heldAt(clock.instant())).isFalse();
        });
        kube.mock().takeRequests();
        LeaseOutcome outcome = lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        assertThat(outcome).isInstanceOf(LeaseOutcome.Acquired.class);
        assertThat(kube.mock().takeRequests()).extracting(io.fabric8.mockwebserver.http.RecordedRequest::getMethod).containsExactly("GET", "PUT");
        assertThat(outcome.lease()).isEqualTo(new LeaseRecord("galera-galera-bootstrap", "galera-2", UUID_A, 1234L,
                clock.instant(), clock.instant(), TERM, 1, "galera-2"));
        assertThat(stored().getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "galera");
        assertThat(lease().tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1200")), TERM)).isInstanceOf(LeaseOutcome.HeldByOther.class);
    }

    @Test
    void anotherHolderIsToldWhoHoldsIt() {
        lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        clock.advance(Duration.ofSeconds(29));
        LeaseOutcome outcome = lease().tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1200")), TERM);
        assertThat(outcome).isInstanceOf(LeaseOutcome.HeldByOther.class);
        assertThat(outcome.lease().holder()).isEqualTo("galera-2");
        assertThat(outcome.lease().seqno()).isEqualTo(1234L);
        assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("galera-2");
    }

    @Test
    void theSameHolderRestartedTakesItsLeaseAgain() {
        lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        clock.advance(Duration.ofSeconds(5));
        LeaseOutcome again = lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1235")), TERM);
        assertThat(again).isInstanceOf(LeaseOutcome.Acquired.class);
        assertThat(again.lease().renewed()).isEqualTo(clock.instant());
        assertThat(again.lease().seqno()).isEqualTo(1235L);
        assertThat(again.lease().transitions()).isZero();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheTransitionCounted() {
        lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        clock.advance(TERM);
        LeaseOutcome outcome = lease().tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1200")), TERM);
        assertThat(outcome).isInstanceOf(LeaseOutcome.Acquired.class);
        assertThat(outcome.lease().holder()).isEqualTo("galera-0");
        assertThat(outcome.lease().acquired()).isEqualTo(clock.instant());
        assertThat(outcome.lease().transitions()).isEqualTo(1);
        assertThat(outcome.lease().seqno()).isEqualTo(1200L);
    }

    @Test
    void renewKeepsItAndFailsOnceAnotherTookItOver() {
        BootstrapLease first = lease();
        BootstrapLease second = lease();
        first.tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(20));
            assertThat(first.renew("galera-2", TERM)).isTrue();
            assertThat(second.tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1")), TERM)).isInstanceOf(LeaseOutcome.HeldByOther.class);
        }
        clock.advance(Duration.ofSeconds(31)); // the holder stalled past its term
        assertThat(second.tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1")), TERM)).isInstanceOf(LeaseOutcome.Acquired.class);
        assertThat(first.renew("galera-2", TERM)).isFalse();
        assertThat(first.release("galera-2")).isFalse();
        assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("galera-0");
    }

    @Test
    void aReleasedLeaseIsFreeForTheNextAndKeepsTheLastPosition() {
        BootstrapLease lease = lease();
        lease.tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        assertThat(lease.release("galera-2")).isTrue();
        assertThat(lease.current()).get().satisfies(l -> {
            assertThat(l.holder()).isNull();
            assertThat(l.heldAt(clock.instant())).isFalse();
            assertThat(l.seqno()).isEqualTo(1234L);
        });
        assertThat(lease().tryAcquire("galera-1", Optional.of(Position.parse("position", UUID_A + ":1300")), TERM)).isInstanceOf(LeaseOutcome.Acquired.class);
        assertThat(lease.renew("galera-2", TERM)).isFalse();
    }

    @Test
    void noLeaseYetReadsAsEmptyAndRenewingItFails() {
        assertThat(lease().current()).isEmpty();
        assertThat(lease().renew("galera-0", TERM)).isFalse();
        assertThat(lease().release("galera-0")).isFalse();
        assertThat(stored()).isNull();
    }

    @Test
    void rejectsAnEmptyHolderAndASubSecondTerm() {
        assertThatThrownBy(() -> lease().tryAcquire(" ", Optional.of(Position.parse("position", UUID_A + ":1")), TERM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lease().tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1")), Duration.ofMillis(500)))
                .hasMessage("a Lease lasts at least 1s, not PT0.5S");
    }

    @Test
    void losingTheRaceForAnExpiredLeaseAnswersTheWinner() {
        lease().tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        clock.advance(TERM.plusSeconds(1));
        // galera-1 writes its takeover between galera-0's read and galera-0's update
        Lease rival = stored();
        rival.getSpec().setHolderIdentity("galera-1");
        rival.getSpec().setRenewTime(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        kube.mock().interleaveOnce(HttpMethod.PUT, "/apis/coordination.k8s.io/v1/namespaces/db/leases/galera-galera-bootstrap",
                HttpMethod.PUT, "application/json", Serialization.asJson(rival));

        LeaseOutcome outcome = lease().tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":1200")), TERM);
        assertThat(kube.mock().interleaved()).isTrue();
        assertThat(outcome).isInstanceOf(LeaseOutcome.HeldByOther.class);
        assertThat(outcome.lease().holder()).isEqualTo("galera-1");
        assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("galera-1");
    }

    @Test
    void agentsRacingOnThreadsNeverBothHoldIt() throws Exception {
        int agentsPerRace = 6;
        List<BootstrapLease> leases = new ArrayList<>();
        for (int i = 0; i < agentsPerRace; i++) {
            leases.add(lease());
        }
        ExecutorService pool = Executors.newFixedThreadPool(agentsPerRace);
        try {
            for (int round = 0; round < 6; round++) {
                // round 0 races to create it; later rounds race to take over the expired one
                CyclicBarrier start = new CyclicBarrier(agentsPerRace);
                List<Future<LeaseOutcome>> results = new ArrayList<>();
                for (int i = 0; i < agentsPerRace; i++) {
                    BootstrapLease lease = leases.get(i);
                    String holder = "round" + round + "-agent" + i;
                    results.add(pool.submit(() -> {
                        start.await();
                        return lease.tryAcquire(holder, Optional.of(Position.parse("position", UUID_A + ":100")), TERM);
                    }));
                }
                List<LeaseOutcome> outcomes = new ArrayList<>();
                for (Future<LeaseOutcome> f : results) {
                    outcomes.add(f.get());
                }
                List<String> winners = outcomes.stream().filter(o -> o instanceof LeaseOutcome.Acquired).map(o -> o.lease().holder()).toList();
                assertThat(winners).as("round %d: %s", round, outcomes).hasSize(1);
                assertThat(outcomes).filteredOn(o -> o instanceof LeaseOutcome.HeldByOther)
                        .allSatisfy(o -> assertThat(o.lease().holder()).isEqualTo(winners.getFirst()));
                assertThat(stored().getSpec().getHolderIdentity()).isEqualTo(winners.getFirst());
                assertThat(stored().getSpec().getLeaseTransitions()).isEqualTo(round);
                clock.advance(TERM);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The record of an open bootstrap outlives the hold: only its own pod closes it, once every pod joined. */
    @Test
    void anOpenBootstrapStaysRecordedAfterTheReleaseUntilItsPodClosesIt() {
        BootstrapLease l = lease();
        l.tryAcquire("galera-2", Optional.of(Position.parse("position", UUID_A + ":1234")), TERM);
        assertThat(l.release("galera-2")).isTrue();
        assertThat(l.current()).hasValueSatisfying(r -> {
            assertThat(r.holder()).isNull();
            assertThat(r.openBootstrap()).isEqualTo("galera-2");
        });
        assertThat(l.close("galera-1")).as("another pod cannot close it").isFalse();
        assertThat(l.close("galera-2")).isTrue();
        assertThat(l.current()).hasValueSatisfying(r -> assertThat(r.openBootstrap()).isNull());
        assertThat(l.close("galera-2")).as("closing twice changes nothing").isFalse();
    }
}
