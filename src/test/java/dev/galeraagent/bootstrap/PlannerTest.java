package dev.galeraagent.bootstrap;

import static dev.galeraagent.bootstrap.PlannerFixtures.U1;
import static dev.galeraagent.bootstrap.PlannerFixtures.U2;
import static dev.galeraagent.bootstrap.PlannerFixtures.empty;
import static dev.galeraagent.bootstrap.PlannerFixtures.input;
import static dev.galeraagent.bootstrap.PlannerFixtures.nonPrimary;
import static dev.galeraagent.bootstrap.PlannerFixtures.primary;
import static dev.galeraagent.bootstrap.PlannerFixtures.published;
import static dev.galeraagent.bootstrap.PlannerFixtures.safe;
import static dev.galeraagent.bootstrap.PlannerFixtures.state;
import static dev.galeraagent.bootstrap.PlannerFixtures.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.Phase;
import dev.galeraagent.status.PublishedState;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlannerTest {
    // Rule1JoinALivePrimary
    @Test
    void joinsWhenAPeerIsPrimary() {
        Plan p = Planner.plan(input(0, 3, empty(), Map.of(1, primary(1, U1, 40), 2, nonPrimary(2)), Map.of()));
        assertThat(p).isInstanceOfSatisfying(Plan.Join.class, j -> {
            assertThat(j.primaryMembers()).containsExactly(1);
            assertThat(j.startPosition()).isEmpty();
        });
        assertThat(p.reasons().get(0)).contains("pods [1] are in a live Primary component").contains("rule 1");
    }

    @Test
    void neverBootstrapsWhenAPrimaryIsLiveEvenWithTheMostDataAndSafeToBootstrap() {
        Plan p = Planner.plan(input(0, 3, safe(U1, 900), Map.of(2, primary(2, U1, 10)), Map.of(1, published(1, state(U1, 5)))));
        assertThat(p).isInstanceOf(Plan.Join.class);
    }

    @Test
    void aJoinerWithARecoveredPositionJoinsFromIt() {
        Plan p = Planner.plan(input(1, 3, state(U1, 3_000_000_000L), Map.of(0, primary(0, U1, 3_000_000_005L)), Map.of()));
        assertThat(((Plan.Join) p).startPosition()).contains(new Position(U1, 3_000_000_000L));
        assertThat(p.reasons()).anyMatch(r -> r.contains("incremental state transfer"));
    }

    @Test
    void refusesToJoinAPrimaryOfAnotherHistory() {
        Plan p = Planner.plan(input(1, 3, state(U2, 70), Map.of(0, primary(0, U1, 5)), Map.of()));
        assertThat(p).isInstanceOf(Plan.Refuse.class);
        assertThat(String.join(" ", p.reasons())).contains(U2.toString()).contains("full state transfer");
    }

    @Test
    void aNonPrimaryPeerIsNotAPrimary() {
        Plan p = Planner.plan(input(1, 3, empty(), Map.of(0, nonPrimary(0)), Map.of()));
        assertThat(p).isInstanceOf(Plan.Wait.class);
    }

    // Rule2FreshCluster
    @Test
    void podZeroStartsANewClusterWhenEveryDataDirectoryIsEmpty() {
        Plan p = Planner.plan(input(0, 3, empty(), Map.of(), Map.of(1, published(1, empty()), 2, published(2, empty()))));
        assertThat(p).isInstanceOf(Plan.NewCluster.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("rule 2"));
    }

    @Test
    void podZeroWaitsToHearFromEveryPodBeforeStartingANewCluster() {
        // podManagementPolicy Parallel: pod 2 may be slower to publish and still hold the only history
        Plan p = Planner.plan(input(0, 3, empty(), Map.of(), Map.of(1, published(1, empty()))));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).isEmpty());
        assertThat(p.reasons()).anyMatch(r -> r.contains("waiting to hear from pods [2] before starting a new cluster"));
        Plan none = Planner.plan(input(0, 3, empty(), Map.of(), Map.of()));
        assertThat(none.reasons()).anyMatch(r -> r.contains("waiting to hear from pods [1, 2]"));
    }

    @Test
    void aPeerWhoseInitContainerServesAnEmptyStateCountsAsHeard() {
        // rule 9: no API; pods 1 and 2 wait in their init containers and serve their empty state on /status
        Plan p = Planner.plan(PlannerInput.of(0, 3, empty(), Map.of(1, waiting(1, empty()), 2, waiting(2, empty())), Map.of(),
                2, false, Optional.empty()));
        assertThat(p).isInstanceOf(Plan.NewCluster.class);
    }

    @Test
    void aPeerAnsweringWithoutAnyStateIsNotHeard() {
        // its mysqld runs but is not Primary and says nothing of its history: it may have state
        Plan p = Planner.plan(PlannerInput.of(0, 2, empty(), Map.of(1, nonPrimary(1)), Map.of(), 2, false, Optional.empty()));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("waiting to hear from pods [1]"));
    }

    @Test
    void aSingleEmptyPodStartsANewClusterAtOnce() {
        assertThat(Planner.plan(input(0, 1, empty(), Map.of(), Map.of()))).isInstanceOf(Plan.NewCluster.class);
    }

    @Test
    void otherPodsWaitForPodZero() {
        Plan p = Planner.plan(input(2, 3, empty(), Map.of(), Map.of(0, published(0, empty()))));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(0));
    }

    // Rule3EmptyNeverBootstrapsWhileAnotherHasState
    @Test
    void podZeroWithAnEmptyDirectoryWaitsForThePodWithState() {
        Plan p = Planner.plan(input(0, 3, empty(), Map.of(), Map.of(1, published(1, state(U1, 10)))));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("pods [1] have state") && r.contains("rule 3"));
    }

    @Test
    void seesStateThroughAPeersStatusToo() {
        Plan p = Planner.plan(input(0, 3, empty(), Map.of(2, waiting(2, state(U1, 10))), Map.of()));
        assertThat(p).isInstanceOf(Plan.Wait.class);
    }

    // Rule4FullCrashElection
    @Test
    void theHighestSeqnoBootstraps() {
        Map<Integer, PublishedState> others = Map.of(0, published(0, state(U1, 10)), 2, published(2, state(U1, 11)));
        assertThat(Planner.plan(input(1, 3, state(U1, 12), Map.of(), others))).isInstanceOfSatisfying(Plan.BootstrapFromHere.class,
                b -> assertThat(b.position()).isEqualTo(new Position(U1, 12)));
        Plan other = Planner.plan(input(0, 3, state(U1, 10), Map.of(), Map.of(1, published(1, state(U1, 12)), 2, published(2, state(U1, 11)))));
        assertThat(other).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(1));
    }

    @Test
    void tiesGoToTheLowestOrdinal() {
        Map<Integer, PublishedState> fromOne = Map.of(0, published(0, state(U1, 7)), 2, published(2, state(U1, 7)));
        assertThat(Planner.plan(input(1, 3, state(U1, 7), Map.of(), fromOne))).isInstanceOf(Plan.Wait.class);
        assertThat(Planner.plan(input(0, 3, state(U1, 7), Map.of(), Map.of(1, published(1, state(U1, 7)), 2, published(2, state(U1, 7))))))
                .isInstanceOf(Plan.BootstrapFromHere.class);
    }

    @Test
    void safeToBootstrapWinsAmongTheHighestSeqno() {
        Map<Integer, PublishedState> others = Map.of(0, published(0, state(U1, 9)), 1, published(1, state(U1, 9)));
        Plan p = Planner.plan(input(2, 3, safe(U1, 9), Map.of(), others));
        assertThat(p).isInstanceOf(Plan.BootstrapFromHere.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("safe_to_bootstrap: 1 and the highest seqno 9"));
    }

    @Test
    void severalSafeToBootstrapChooseTheHighestSeqno() {
        Plan p = Planner.plan(input(0, 3, safe(U1, 5), Map.of(), Map.of(1, published(1, safe(U1, 8)), 2, published(2, state(U1, 3)))));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(1));
    }

    @Test
    void safeToBootstrapNeverWinsOverMoreData() {
        Plan p = Planner.plan(input(0, 3, safe(U1, 5), Map.of(), Map.of(1, published(1, state(U1, 8)), 2, published(2, state(U1, 3)))));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(1));
        assertThat(p.reasons()).anyMatch(r -> r.contains("choosing the most data"));
    }

    @Test
    void waitsUntilEveryPodPublished() {
        Plan p = Planner.plan(input(0, 3, state(U1, 50), Map.of(), Map.of(1, published(1, state(U1, 10)))));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("waiting for pods [2] to publish their state: 2 of 3 known"));
    }

    @Test
    void aStatePublishedBeforeThePodLastRanMysqldIsNotAnElectionInput() {
        // pod 2 is down; its Pod object still carries what it published when it last decided to JOIN,
        // with the seqno it had then: since then its mysqld committed more than pod 1 has (scenario S9)
        PublishedState staleFromLastRun = PublishedStates.of(2, state(U1, 1400),
                Optional.of(new Plan.Join(java.util.List.of(), Optional.empty(), java.util.List.of("joined"))), Optional.empty(),
                java.time.Instant.parse("2026-11-26T09:00:00Z"), "test", "run", null);
        assertThat(staleFromLastRun.phase()).isEqualTo("decided");
        Plan p = Planner.plan(input(1, 3, state(U1, 1457), Map.of(), Map.of(0, published(0, state(U1, 1300)), 2, staleFromLastRun)));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("waiting for pods [2]"));
        // once pod 2's bootstrap runs again and publishes its current state, the election goes on
        Plan after = Planner.plan(input(1, 3, state(U1, 1457), Map.of(), Map.of(0, published(0, state(U1, 1300)), 2, published(2, state(U1, 1607)))));
        assertThat(after).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(2));
    }

    @Test
    void aPublishedStateWithoutSeqnoIsNotKnownYet() {
        LocalState unrecovered = new LocalState.State(new Position(U1, -1), false, false);
        Plan p = Planner.plan(input(0, 3, state(U1, 50), Map.of(), Map.of(1, published(1, state(U1, 10)), 2, published(2, unrecovered))));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("waiting for pods [2]"));
    }

    @Test
    void decidesWithAQuorumAfterTheTimeoutAndSaysSoLoudly() {
        PlannerInput in = PlannerInput.of(0, 3, state(U1, 50), Map.of(), Map.of(1, published(1, state(U1, 10))), 2, true, Optional.empty());
        Plan p = Planner.plan(in);
        assertThat(p).isInstanceOf(Plan.BootstrapFromHere.class);
        assertThat(p.reasons()).anyMatch(r -> r.startsWith("WARNING: the recovery timeout passed with pods [2] unknown"));
    }

    @Test
    void keepsWaitingAfterTheTimeoutBelowTheQuorum() {
        PlannerInput in = PlannerInput.of(0, 5, state(U1, 50), Map.of(), Map.of(1, published(1, state(U1, 10))), 3, true, Optional.empty());
        assertThat(Planner.plan(in)).isInstanceOf(Plan.Wait.class);
    }

    @Test
    void aSinglePodWithStateBootstrapsItself() {
        assertThat(Planner.plan(input(0, 1, state(U1, 4), Map.of(), Map.of()))).isInstanceOf(Plan.BootstrapFromHere.class);
    }

    @Test
    void anUnrecoveredOwnSeqnoWaitsAndSaysWhy() {
        Plan p = Planner.plan(input(0, 1, new LocalState.State(new Position(U1, -1), false, false), Map.of(), Map.of()));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("--wsrep-recover has not run"));
    }

    @Test
    void emptyPodsDoNotStopTheElection() {
        Plan p = Planner.plan(input(1, 3, state(U1, 4), Map.of(), Map.of(0, published(0, empty()), 2, published(2, empty()))));
        assertThat(p).isInstanceOf(Plan.BootstrapFromHere.class);
    }

    @Test
    void forceBootstrapsTheChosenPodWithAWarningAboutNewerData() {
        Optional<ForcedBootstrap> force = Optional.of(new ForcedBootstrap(0, new Position(U1, 5)));
        PlannerInput in = PlannerInput.of(0, 3, state(U1, 5), Map.of(), Map.of(1, published(1, state(U1, 9))), 2, false, force);
        Plan p = Planner.plan(in);
        assertThat(p).isInstanceOf(Plan.BootstrapFromHere.class);
        assertThat(p.reasons()).anyMatch(r -> r.startsWith("WARNING: pod 1: cluster " + U1 + " seqno 9"));
        PlannerInput other = PlannerInput.of(1, 3, state(U1, 9), Map.of(), Map.of(0, published(0, state(U1, 5))), 2, false, force);
        assertThat(Planner.plan(other)).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(0));
    }

    @Test
    void anOverrideLeftInPlaceIsIgnoredOnceThePodHoldsAnotherPosition() {
        // the person forced pod 0 at seqno 5 an outage ago; the cluster ran on and pod 1 now holds more
        Optional<ForcedBootstrap> stale = Optional.of(new ForcedBootstrap(0, new Position(U1, 5)));
        Map<Integer, PublishedState> others = Map.of(1, published(1, state(U1, 90)), 2, published(2, state(U1, 80)));
        Plan p = Planner.plan(PlannerInput.of(0, 3, state(U1, 70), Map.of(), others, 3, false, stale));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(1));
        assertThat(p.reasons()).anyMatch(r -> r.startsWith("WARNING: --force-bootstrap-from=0@" + U1 + ":5 is ignored"));
        Plan chosen = Planner.plan(PlannerInput.of(1, 3, state(U1, 90), Map.of(),
                Map.of(0, published(0, state(U1, 70)), 2, published(2, state(U1, 80))), 3, false, stale));
        assertThat(chosen).as("the election decides, not the stale override").isInstanceOf(Plan.BootstrapFromHere.class);
    }

    @Test
    void forceOnAnEmptyPodIsIgnored() {
        PlannerInput in = PlannerInput.of(0, 3, empty(), Map.of(), Map.of(), 2, false, Optional.of(new ForcedBootstrap(0, new Position(U1, 5))));
        Plan p = Planner.plan(in);
        assertThat(p).isNotInstanceOf(Plan.NewCluster.class).isNotInstanceOf(Plan.BootstrapFromHere.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("is ignored: pod 0 now holds no history"));
    }

    // Rule5OneHistory
    @Test
    void refusesAndNamesWhichPodHoldsWhichHistory() {
        Map<Integer, PublishedState> others = Map.of(1, published(1, state(U2, 99)), 2, published(2, state(U1, 3)));
        Plan p = Planner.plan(input(0, 3, state(U1, 5), Map.of(), others));
        assertThat(p).isInstanceOf(Plan.Refuse.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("pod 1: cluster " + U2 + " seqno 99")
                && r.contains("pod 0: cluster " + U1 + " seqno 5, pod 2: cluster " + U1 + " seqno 3"));
        assertThat(p.reasons()).anyMatch(r -> r.contains("--force-bootstrap-from=<ordinal>"));
    }

    @Test
    void refusesEvenBeforeEveryPodPublished() {
        Plan p = Planner.plan(input(0, 5, state(U1, 5), Map.of(), Map.of(3, published(3, state(U2, 1)))));
        assertThat(p).isInstanceOf(Plan.Refuse.class);
    }

    // Rule9WithoutTheApi
    @Test
    void electsOverThePeersStatusWhileTheirInitContainersWait() {
        PlannerInput in = PlannerInput.of(0, 3, state(U1, 5),
                Map.of(1, waiting(1, state(U1, 8)), 2, waiting(2, state(U1, 6))), Map.of(), 2, false, Optional.empty());
        assertThat(Planner.plan(in)).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(1));
        PlannerInput chosen = PlannerInput.of(1, 3, state(U1, 8),
                Map.of(0, waiting(0, state(U1, 5)), 2, waiting(2, state(U1, 6))), Map.of(), 2, false, Optional.empty());
        assertThat(Planner.plan(chosen)).isInstanceOf(Plan.BootstrapFromHere.class);
    }

    @Test
    void aPeerWhoseMysqldRunsNonPrimaryWithoutAPositionGivesNoState() {
        PlannerInput in = PlannerInput.of(0, 2, state(U1, 5), Map.of(1, nonPrimary(1)), Map.of(), 2, false, Optional.empty());
        assertThat(Planner.plan(in)).isInstanceOf(Plan.Wait.class);
    }

    @Test
    void inputOutsideTheStatefulSetIsRefused() {
        assertThatThrownBy(() -> input(3, 3, empty(), Map.of(), Map.of())).hasMessageContaining("ordinal 3 is outside");
        assertThatThrownBy(() -> PlannerInput.of(0, 3, empty(), Map.of(), Map.of(), 2, false, Optional.of(new ForcedBootstrap(7, new Position(U1, 5)))))
                .hasMessageContaining("--force-bootstrap-from=7@");
    }

    // The holes an adversary found (docs/recovery-protocol.md): each fails on the planner before the fix

    /** Pod 0 (seqno 100) decided and went quiet starting mysqld; with quorum 2 pods 1 and 2 must not elect pod 1 (90). */
    @Test
    void aPodSeenEarlierInTheRunIsNeverOutvotedByAQuorumWithLessData() {
        Map<Integer, PublishedState> remembered = Map.of(0, published(0, state(U1, 100)));
        Map<Integer, PublishedState> now = Map.of(2, published(2, state(U1, 80)));
        Plan p = Planner.plan(new PlannerInput(1, 3, state(U1, 90), Map.of(), now, remembered, java.util.Set.of(), 2, true, Optional.empty(), Optional.empty()));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(0));
        assertThat(p.reasons()).anyMatch(r -> r.contains("pod 0: cluster " + U1 + " seqno 100 (seen earlier in this run)"));
    }

    /** The same after this pod restarted (its memory is gone): the state pod 0 published when it decided is a floor. */
    @Test
    void whatAPodPublishedWhenItDecidedIsALowerBoundTheElectionRespects() {
        PublishedState decided = PublishedStates.of(0, state(U1, 100), Optional.of(new Plan.BootstrapFromHere(new Position(U1, 100), java.util.List.of("x"))),
                Optional.empty(), java.time.Instant.parse("2026-12-01T10:00:00Z"), "test", "run", null);
        Map<Integer, PublishedState> now = Map.of(0, decided, 2, published(2, state(U1, 80)));
        Plan p = Planner.plan(PlannerInput.of(1, 3, state(U1, 90), Map.of(), now, 2, true, Optional.empty()));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(0));
        assertThat(p.reasons()).anyMatch(r -> r.contains("more than the best pod known now (pod 1, seqno 90)")
                && r.contains("--force-bootstrap-from=1@" + U1 + ":90"));
        // a floor below the best known pod changes nothing
        Map<Integer, PublishedState> old = Map.of(0, decided, 2, published(2, state(U1, 180)));
        Plan chosen = Planner.plan(PlannerInput.of(2, 3, state(U1, 180), Map.of(), Map.of(0, decided, 1, published(1, state(U1, 90))), 2, true, Optional.empty()));
        assertThat(chosen).isInstanceOf(Plan.BootstrapFromHere.class);
    }

    /** Without the API: pod 0's sidecar serves its pending hand-off; nobody bootstraps beside it, whatever they hold. */
    @Test
    void aBootstrapHandedToMysqldBlocksEveryOtherBootstrap() {
        PublishedState pending = new PublishedState(0, Phase.BOOTSTRAP_REQUESTED.wire(), false, U1.toString(), 100, false, false,
                "BOOTSTRAP_FROM_HERE", java.util.List.of(), null, "t", "test", null, null, false);
        NodeStatus sidecar = new NodeStatus("test", "galera-0", 0, null, null, null, null, null, null, null, false, true,
                "mysqld not answering", null, pending, null);
        Plan p = Planner.plan(PlannerInput.of(1, 2, state(U1, 500), Map.of(0, sidecar), Map.of(), 1, true, Optional.empty()));
        assertThat(p).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(0));
        assertThat(p.reasons()).anyMatch(r -> r.contains("can still become Primary"));
    }

    /** A partitioned pod whose peers the API calls Ready is in a minority, not an outage. */
    @Test
    void aPeerTheApiCallsReadyMeansNoOutage() {
        Plan p = Planner.plan(new PlannerInput(0, 3, state(U1, 500), Map.of(), Map.of(1, published(1, state(U1, 10)), 2, published(2, state(U1, 10))),
                Map.of(), java.util.Set.of(1, 2), 2, true, Optional.empty(), Optional.empty()));
        assertThat(p).isInstanceOf(Plan.Wait.class);
        assertThat(p.reasons()).anyMatch(r -> r.contains("pods [1, 2] are Ready according to the Kubernetes API"));
    }

    /** After a crash of the bootstrapped node, the others' mysqld run outside any Primary: their positions count. */
    @Test
    void aLiveMysqldOutsideAPrimaryGivesItsPosition() {
        NodeStatus stuck = new NodeStatus("test", "galera-1", 1, "non-Primary", "Initialized", U1.toString(), 70L, 1, false, true, false, true,
                null, null, null, null);
        Plan p = Planner.plan(PlannerInput.of(0, 2, state(U1, 90), Map.of(1, stuck), Map.of(), 2, false, Optional.empty()));
        assertThat(p).isInstanceOf(Plan.BootstrapFromHere.class);
        Plan other = Planner.plan(PlannerInput.of(0, 2, state(U1, 60), Map.of(1, stuck), Map.of(), 2, false, Optional.empty()));
        assertThat(other).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(1));
    }

    @Test
    void aCutOffTransferIsNeverASourceNorCountsAsNoHistoryForANewCluster() {
        LocalState cut = new LocalState.Empty(LocalState.NoHistory.CUT_OFF_SST, "sst_in_progress left behind");
        PublishedState cutPeer = PublishedStates.of(1, cut, Optional.empty(), Optional.empty(), java.time.Instant.EPOCH, "test", "r", null);
        assertThat(cutPeer.cutOff()).isTrue();
        Plan fresh = Planner.plan(input(0, 2, empty(), Map.of(), Map.of(1, cutPeer)));
        assertThat(fresh).as("a new cluster would lose what the cut-off transfer was copying").isInstanceOf(Plan.Refuse.class);
        Plan self = Planner.plan(input(0, 2, cut, Map.of(), Map.of(1, published(1, empty()))));
        assertThat(self).isInstanceOf(Plan.Refuse.class);
        Plan joins = Planner.plan(input(1, 2, cut, Map.of(), Map.of(0, published(0, state(U1, 5)))));
        assertThat(joins).isInstanceOfSatisfying(Plan.Wait.class, w -> assertThat(w.awaiting()).contains(0));
    }

    /** A published state with {@code uuid} in place of pod {@code ordinal}'s own: what a hand-edited annotation holds. */
    private static PublishedState withUuid(PublishedState s, String uuid) {
        return new PublishedState(s.ordinal(), s.phase(), s.empty(), uuid, s.seqno(), s.seqnoRecovered(), s.safeToBootstrap(), s.decision(),
                s.reasons(), s.forcedFrom(), s.time(), s.agentVersion(), s.run(), s.podUid(), s.cutOff());
    }

    @Test
    void aPublishedStateWhoseUuidIsNotCanonicalCountsAsNothingPublished() {
        Plan nothing = Planner.plan(input(0, 2, state(U1, 5), Map.of(), Map.of()));
        assertThat(nothing).isInstanceOf(Plan.Wait.class);
        for (String uuid : new String[] {"1-1-1-1-1", U1 + "\n", "", null}) {
            // UUID.fromString reads "1-1-1-1-1": were it read, pod 1's seqno 900 would win the election
            PublishedState ahead = withUuid(published(1, state(U1, 900)), uuid);
            assertThat(Planner.plan(input(0, 2, state(U1, 5), Map.of(), Map.of(1, ahead)))).as(String.valueOf(uuid)).isEqualTo(nothing);
            assertThat(Planner.plan(input(0, 2, state(U1, 5), Map.of(1, waiting(1, state(U1, 900))), Map.of(1, ahead))))
                    .as("the same state read from /status wins: %s", uuid).isInstanceOf(Plan.Wait.class).isNotEqualTo(nothing);
        }
    }

    @Test
    void anEmptyPublishedStateIsEmptyWhateverItsUuidSays() {
        Plan clean = Planner.plan(input(0, 2, empty(), Map.of(), Map.of(1, published(1, empty()))));
        assertThat(clean).isInstanceOf(Plan.NewCluster.class);
        assertThat(Planner.plan(input(0, 2, empty(), Map.of(), Map.of(1, withUuid(published(1, empty()), "not-a-uuid"))))).isEqualTo(clean);
    }

    @Test
    void aLiveNodeWhoseClusterUuidIsNotCanonicalIsNotCounted() {
        NodeStatus odd = new NodeStatus("test", "galera-1", 1, "non-Primary", "Initialized", "1-1-1-1-1", 900L, 1, false, true, false, true,
                null, null, null, null);
        assertThat(Planner.plan(input(0, 2, state(U1, 5), Map.of(1, odd), Map.of())))
                .isEqualTo(Planner.plan(input(0, 2, state(U1, 5), Map.of(1, nonPrimary(1)), Map.of())));
    }
}
