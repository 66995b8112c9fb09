package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The harness proven without the agent: three pods started at once with the lab's manual
 * bootstrap of pod 0, a writer on every pod, pod 1's mariadbd killed with SIGKILL under writes
 * and brought back by a container restart; every acknowledged row is then on every pod.
 */
class HarnessIT {
    @Test
    void plainClusterKeepsEveryAcknowledgedRowThroughAKill9AndAContainerRestart() throws Exception {
        E2e.assumeAvailable();
        try (Cluster c = Cluster.create("harness", 3, new PlainSteps())) {
            Instant t0 = Instant.now();
            c.startAll();
            c.waitPrimary(Duration.ofMinutes(2));
            Duration toPrimary = Duration.between(t0, Instant.now());
            c.waitAllSynced(Duration.ofMinutes(4));
            Duration toSynced = Duration.between(t0, Instant.now());
            assertThat(c.statuses().values()).allSatisfy(s -> assertThat(s.clusterSize()).isEqualTo(3));
            assertThat(c.pod(0).sqlOk("SELECT @@hostname, @@wsrep_node_address")).isEqualTo("galera-0\t10.231.0.11");
            // the initdb SQL ran on pod 0's new data directory and reached pod 2 by SST
            assertThat(c.pod(2).sqlOk("SELECT user FROM mysql.user WHERE user='probe'")).isEqualTo("probe");

            c.createAppSchema();
            Writer.Row any;
            Duration rejoin;
            try (Writer w = Writer.start(c, c.ordinals(), Duration.ofMillis(20))) {
                awaitRows(w, 30);
                long pidBefore = c.pod(1).mariadbPid();
                c.kill9(1);
                assertThat(ProcessHandle.of(pidBefore)).isEmpty();
                long ackedBy1 = w.ackedBy(1);
                c.waitSynced(java.util.List.of(0, 2), 2, Duration.ofSeconds(60));
                PodNetwork.sleep(2000);
                assertThat(w.ackedBy(1)).as("no row acknowledged by a dead pod").isEqualTo(ackedBy1);

                Instant tr = Instant.now();
                c.containerRestart(1);
                c.waitAllSynced(Duration.ofMinutes(3));
                rejoin = Duration.between(tr, Instant.now());
                long back = w.ackedBy(1);
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (w.ackedBy(1) <= back + 10 && System.nanoTime() < end) {
                    PodNetwork.sleep(200);
                }
                assertThat(w.ackedBy(1)).as("writes through pod 1 again after its restart").isGreaterThan(back);
                w.stop();
                any = w.acked().iterator().next();

                Checker.Check check = Checker.check(c, w.acked(), c.ordinals());
                c.event("check: " + check + "; longest write gap " + Pod.seconds(w.longestGap()) + " s");
                assertThat(check.lostTotal()).as("acknowledged rows lost: %s", check).isZero();
                assertThat(check.checksumsAgree()).as("checksums %s", check.checksums()).isTrue();
                Results.record(new Results.Row("harness: kill -9 + container restart", c.steps().name(), toPrimary, toSynced,
                        "pod 0 --wsrep-new-cluster (by hand)", check.acked(), check.lostTotal(),
                        "pod 1 rejoined in " + Pod.seconds(rejoin) + " s; longest write gap " + Pod.seconds(w.longestGap()) + " s"));
            }
            assertThat(c.pod(2).sqlOk("SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM lab." + Cluster.APP_TABLE + " WHERE w=" + any.w() + " AND s=" + any.s()))
                    .isEqualTo("1");
        }
    }

    private static void awaitRows(Writer w, int n) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (w.acked().size() < n) {
            assertThat(System.nanoTime()).as("%d rows acknowledged within 60 s", n).isLessThan(end);
            PodNetwork.sleep(100);
        }
    }
}
