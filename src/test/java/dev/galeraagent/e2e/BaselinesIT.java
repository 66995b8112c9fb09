package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The two ways a full crash is recovered without the agent, measured by the same harness as the
 * agent's scenario S5 so the figures compare: all pods simply restarted at once (Galera's
 * {@code pc.recovery} restores the last Primary component from {@code gvwstate.dat}), and the
 * manual procedure run as a script. One cluster serves both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BaselinesIT {
    private static Cluster cluster;

    @BeforeAll
    static void freshCluster() throws Exception {
        E2e.assumeAvailable();
        cluster = Cluster.create("baselines", 3, new PlainSteps());
        cluster.startAll();
        cluster.waitAllSynced(Duration.ofMinutes(4));
        cluster.createAppSchema();
    }

    @AfterAll
    static void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(2)
    void allPodsRestartedAtOnceComeBackThroughPcRecoveryPrimaryAndSynced() throws Exception {
        try (Writer w = Writer.start(cluster, cluster.ordinals(), Duration.ofMillis(20))) {
            Scenarios.writeFor(w, Duration.ofSeconds(4));
            cluster.kill9All();
            w.stop();
            Instant t0 = Instant.now();
            cluster.startAll();
            cluster.waitPrimary(Duration.ofMinutes(3));
            Duration toPrimary = Duration.between(t0, Instant.now());
            cluster.waitAllSynced(Duration.ofMinutes(5));
            Duration toSynced = Duration.between(t0, Instant.now());
            Checker.Check check = Checker.check(cluster, w.acked(), cluster.ordinals());
            cluster.event("check: " + check);
            // the baseline is unsafe by design (no start positions: the reason for rule 11), so its outcome is recorded,
            // not asserted: one full-suite run on 2026-12-01 came back with the nodes diverged (999, 1001 and 999 rows,
            // two checksums), while earlier runs agreed
            String outcome = check.checksumsAgree() ? "" : "the nodes DIVERGED (rows " + check + "): unsafe without start positions";
            Results.record(new Results.Row("baseline: full crash, all restarted (pc.recovery)", "plain", toPrimary, toSynced,
                    "none: gvwstate.dat restores the Primary", check.acked(), check.lostTotal(), outcome));
        }
    }

    @Test
    @Order(1)
    void manualRecoveryBootstrapsTheMostAdvancedPod() throws Exception {
        try (Writer w = Writer.start(cluster, cluster.ordinals(), Duration.ofMillis(20))) {
            Scenarios.writeFor(w, Duration.ofSeconds(4));
            cluster.kill9All();
            w.stop();
            ManualRecovery.Outcome o = ManualRecovery.run(cluster, Duration.ofMinutes(5));
            long best = o.positions().values().stream().mapToLong(ManualRecovery::seqno).max().orElseThrow();
            assertThat(ManualRecovery.seqno(o.positions().get(o.bootstrapped()))).isEqualTo(best);
            Checker.Check check = Checker.check(cluster, w.acked(), cluster.ordinals());
            cluster.event("check: " + check);
            Results.record(new Results.Row("baseline: full crash, manual recovery script", "plain", o.toPrimary(), o.toAllSynced(),
                    "script bootstrapped " + PodNetwork.podName(o.bootstrapped()) + " " + o.positions(), check.acked(),
                    check.lostTotal(), "wsrep-recover x3, then one at a time"));
            assertThat(check.lostTotal()).as("%s", check).isZero();
            assertThat(check.checksumsAgree()).as("%s", check).isTrue();
        }
    }
}
