package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StartPlanTest {
    private static final UUID CLUSTER = UUID.fromString("6f1c1e3a-9b7d-11f0-8a0b-4b5f2e7c9d01");
    private static final Instant WRITTEN = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant BEFORE = WRITTEN.minusSeconds(60);
    private static final Instant AFTER = WRITTEN.plusSeconds(60);
    private static final StartPlan.PendingOneShot BOOTSTRAP = pending(true, Optional.of(new Position(CLUSTER, 100)));
    private static final StartPlan.PendingOneShot NEW_CLUSTER = pending(true, Optional.empty());
    private static final StartPlan.PendingOneShot JOIN = pending(false, Optional.of(new Position(CLUSTER, 100)));

    private static StartPlan.PendingOneShot pending(boolean newCluster, Optional<Position> position) {
        return new StartPlan.PendingOneShot(new GaleraConfig.OneShot(newCluster, position), WRITTEN);
    }

    private static DataDirState dir(long seqno, boolean safe, String... extra) {
        GrastateFile g = new GrastateFile(GrastateFile.VERSION, CLUSTER, seqno, safe);
        Set<String> entries = new java.util.HashSet<>(Set.of("ibdata1", "mysql", "grastate.dat"));
        entries.addAll(Set.of(extra));
        return DataDirState.classify(entries, Optional.of(g.render()), entries.contains("gvwstate.dat"));
    }

    @Test
    void anUncleanStopWithNothingPendingRecoversThePositionOfGrastatesCluster() {
        StartPlan p = StartPlan.decide(dir(-1, false, "gvwstate.dat"), Optional.empty(), Optional.of(AFTER), Optional.of(AFTER));
        assertThat(p.recoverFor()).contains(CLUSTER);
        assertThat(p.dropOneShot()).isFalse();
        assertThat(p.markSafe()).isFalse();
    }

    @Test
    void aCleanStopAnEmptyDirectoryAndACutOffTransferStartAsTheConfigSays() {
        assertThat(StartPlan.decide(dir(250, true), Optional.empty(), Optional.empty(), Optional.of(AFTER)).recoverFor()).isEmpty();
        DataDirState empty = DataDirState.classify(Set.of("lost+found"), Optional.empty(), false);
        assertThat(StartPlan.decide(empty, Optional.empty(), Optional.empty(), Optional.empty()))
                .isEqualTo(new StartPlan(false, false, Optional.empty(), StartPlan.decide(empty, Optional.empty(), Optional.empty(), Optional.empty()).reasons()));
        for (String marker : DataDirState.SST_MARKERS) {
            StartPlan p = StartPlan.decide(dir(-1, false, marker), Optional.of(BOOTSTRAP), Optional.of(AFTER), Optional.of(AFTER));
            assertThat(p.recoverFor()).as(marker).isEmpty();
            assertThat(p.dropOneShot()).as(marker).isFalse();
            assertThat(p.reasons().getFirst()).contains("cut off").contains(marker);
        }
    }

    @Test
    void aBootstrapWhoseNodeWasPrimaryIsSpentSoACrashRestartRecoversInsteadOfBootstrappingAgain() {
        // gvwstate.dat newer than the one-shot: Galera was Primary after the bootstrap began
        StartPlan p = StartPlan.decide(dir(-1, false, "gvwstate.dat"), Optional.of(BOOTSTRAP), Optional.of(AFTER), Optional.of(AFTER));
        assertThat(p.dropOneShot()).isTrue();
        assertThat(p.markSafe()).isFalse();
        assertThat(p.recoverFor()).contains(CLUSTER);
        assertThat(String.join(" ", p.reasons())).contains("gvwstate.dat").contains("spent");
    }

    @Test
    void aBootstrapThatNeverReachedPrimaryIsKeptAndMarkedSafeAgainWhenGaleraResetTheFlag() {
        // gvwstate.dat left by the crash that started this outage is older than the one-shot
        StartPlan p = StartPlan.decide(dir(-1, false, "gvwstate.dat"), Optional.of(BOOTSTRAP), Optional.of(BEFORE), Optional.of(AFTER));
        assertThat(p.dropOneShot()).isFalse();
        assertThat(p.markSafe()).isTrue();
        assertThat(p.recoverFor()).as("the one-shot carries the start position").isEmpty();

        StartPlan stillSafe = StartPlan.decide(dir(-1, true), Optional.of(BOOTSTRAP), Optional.empty(), Optional.of(AFTER));
        assertThat(stillSafe.markSafe()).isFalse();
        assertThat(stillSafe.dropOneShot()).isFalse();
    }

    @Test
    void aJoinThatNeverReachedPrimaryIsKeptAndNeverMarkedSafe() {
        StartPlan p = StartPlan.decide(dir(-1, false), Optional.of(JOIN), Optional.empty(), Optional.of(AFTER));
        assertThat(p.dropOneShot()).isFalse();
        assertThat(p.markSafe()).isFalse();
        assertThat(p.recoverFor()).isEmpty();
    }

    @Test
    void aCleanStopPastTheStartPositionAfterTheOneShotMeansThePrimaryWasReachedEvenWithoutGvwstate() {
        // a clean stop deletes gvwstate.dat; the seqno it wrote moved past the bootstrap's start position
        StartPlan past = StartPlan.decide(dir(101, false), Optional.of(BOOTSTRAP), Optional.empty(), Optional.of(AFTER));
        assertThat(past.dropOneShot()).isTrue();
        assertThat(past.recoverFor()).isEmpty();
        assertThat(past.markSafe()).as("never re-armed: Galera would refuse, and rightly").isFalse();

        // a stop before Primary writes back the position it started from: still pending
        StartPlan same = StartPlan.decide(dir(100, false), Optional.of(BOOTSTRAP), Optional.empty(), Optional.of(AFTER));
        assertThat(same.dropOneShot()).isFalse();
        assertThat(same.markSafe()).isTrue();

        // a clean grastate older than the one-shot is the state the decision itself saw
        StartPlan older = StartPlan.decide(dir(250, true), Optional.of(NEW_CLUSTER), Optional.empty(), Optional.of(BEFORE));
        assertThat(older.dropOneShot()).isFalse();

        // a new cluster had no history when decided: any clean position after it is the new cluster's
        StartPlan fresh = StartPlan.decide(dir(3, true), Optional.of(NEW_CLUSTER), Optional.empty(), Optional.of(AFTER));
        assertThat(fresh.dropOneShot()).isTrue();
    }

    @Test
    void theStartPositionIsPassedOnlyForGrastatesOwnClusterAndAKnownSeqno() {
        assertThat(StartPlan.startArguments(CLUSTER, new Position(CLUSTER, 557))).containsExactly("--wsrep-start-position=" + CLUSTER + ":557");
        assertThat(StartPlan.startArguments(CLUSTER, new Position(CLUSTER, -1))).isEmpty();
        UUID nil = new UUID(0, 0);
        assertThatThrownBy(() -> StartPlan.startArguments(CLUSTER, new Position(nil, 12)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(nil + ":12").hasMessageContaining(CLUSTER.toString()).hasMessageNotContaining("\n");
    }
}
