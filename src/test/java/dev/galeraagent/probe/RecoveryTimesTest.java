package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryTimesTest {
    static final long SECOND = 1_000_000_000L;

    static Observation answered(String status, String state) {
        return new Observation.Answered(Map.of("wsrep_cluster_status", status, "wsrep_local_state", state));
    }

    @Test
    void theFirstPrimaryAndTheFirstSyncedAreTimedFromTheStartAndLaterReadsChangeNothing() {
        RecoveryTimes t = new RecoveryTimes(100 * SECOND);
        t.observe(new Observation.Failed(Observation.Failure.DOWN, "refused"), 101 * SECOND);
        t.observe(answered("non-Primary", "1"), 102 * SECOND);
        assertThat(t.toPrimary()).isEmpty();
        assertThat(t.toSynced()).isEmpty();

        t.observe(answered("Primary", "1"), 103 * SECOND + 500_000_000L);
        t.observe(answered("Primary", "4"), 106 * SECOND);
        t.observe(new Observation.Failed(Observation.Failure.DOWN, "restarted"), 200 * SECOND);
        t.observe(answered("Primary", "4"), 210 * SECOND);

        assertThat(t.toPrimary()).contains(Duration.ofMillis(3500));
        assertThat(t.toSynced()).contains(Duration.ofSeconds(6));
    }

    @Test
    void aNodeSyncedByItsStateCommentAloneCountsAsSynced() {
        RecoveryTimes t = new RecoveryTimes(0);
        t.observe(new Observation.Answered(Map.of("wsrep_cluster_status", "Primary", "wsrep_local_state_comment", "Synced")), 2 * SECOND);
        assertThat(t.toSynced()).contains(Duration.ofSeconds(2));
    }

    @Test
    void theProcessStartIsInThePastAndNoLaterThanNow() {
        long before = System.nanoTime();
        RecoveryTimes t = RecoveryTimes.sinceProcessStart();
        t.observe(answered("Primary", "4"), System.nanoTime());
        // this JVM started before the test did, so the time to Primary is at least the time this test has run
        assertThat(t.toPrimary()).hasValueSatisfying(d -> assertThat(d.toNanos()).isGreaterThanOrEqualTo(System.nanoTime() - before - SECOND));
        assertThat(t.toPrimary()).hasValueSatisfying(d -> assertThat(d).isLessThan(Duration.ofHours(1)));
    }
}
