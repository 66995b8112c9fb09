package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent through a cluster's everyday life, on one cluster in order: fresh start (S1), pod 0's
 * container restarted right after it bootstrapped (S3), a crashed mariadbd back by container and
 * by pod restart under writes (S3), a rolling restart (S2), pod 0 restarted alone (S8), a
 * partition (S12), scaling to five and back (S11).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLifecycleIT {
    private static Cluster c;
    private static String clusterUuid;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("lifecycle", 3, new AgentSteps());
    }

    /** A scenario that failed must not leave the next one a broken cluster. */
    @BeforeEach
    void healthyCluster(TestInfo test) throws Exception {
        if (!test.getDisplayName().startsWith("s1")) {
            c.restoreAll(Scenarios.FORM);
        }
    }

    @AfterAll
    static void close() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    @Order(1)
    void s1FreshStartPod0BootstrapsAndTheOthersJoin() throws Exception {
        Instant t0 = Instant.now();
        c.startAll();
        Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
        Scenarios.assertOneComponent(c);
        clusterUuid = c.status(0).stateUuid();
        assertThat(Scenarios.decision(c, 0)).isEqualTo("NEW_CLUSTER");
        assertThat(Scenarios.decision(c, 1)).isEqualTo("JOIN");
        assertThat(Scenarios.decision(c, 2)).isEqualTo("JOIN");
        c.createAppSchema();
        Scenarios.record("S1 fresh start of three pods", c, t, null, "");
        Timeline.record("S1 fresh start of three pods", c, t0);
    }

    /** Issue 12: {@code agent status} in a pod, with the pod's own environment, right after the fresh start. */
    @Test
    @Order(2)
    void s1StatusShowsTheFormedClusterItsLeaseAndTheBootstrapsEventsAtAGlance() throws Exception {
        c.waitAllSynced(Scenarios.FORM);
        Pod pod = c.pod(1);
        Exec.Result r = pod.exec(Duration.ofSeconds(60), pod.workDir().resolve("agent").toString(), "status",
                "--kubeconfig", c.kubeconfig().toString());
        String out = r.output();
        assertThat(r.exit()).as(out).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(out).as(out).containsPattern("galera-" + i + " +Running +decided +Primary/Synced +" + clusterUuid + " +\\d+ +yes +yes +"
                    + (i == 0 ? "NEW_CLUSTER" : "JOIN"));
        }
        assertThat(out).contains("History: one, " + clusterUuid + " on pods [0, 1, 2]")
                .containsPattern("Lease: \\S+-galera-bootstrap free")
                .containsPattern("(?s)galera-0  LeaseTaken .*galera-0  HandOffComplete .*galera-0  LeaseReleased ")
                .contains("To do: nothing");
        Files.writeString(c.dir().resolve("agent-status.txt"), out);
    }

    @Test
    @Order(3)
    void s3Pod0ContainerRestartAfterItBootstrappedJoinsAndStartsNoSecondCluster() throws Exception {
        // "right after": the others have joined and the sidecar has had a few of its polls
        c.waitAllSynced(Scenarios.FORM);
        PodNetwork.sleep(5000);
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.kill9(0);
            Instant t0 = Instant.now();
            c.containerRestart(0);
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(c.status(0).stateUuid()).as("pod 0 is in the cluster it bootstrapped").isEqualTo(clusterUuid);
            assertThat(c.pod(0).initRuns()).as("a container restart reruns no init container")
                    .extracting(Pod.InitRun::container).containsExactly("install", "bootstrap");
            Scenarios.record("S3 pod 0 container restart after bootstrap", c, t, check, "same cluster uuid, no second Primary");
        }
    }

    @Test
    @Order(4)
    void s3Kill9UnderWritesComesBackByContainerRestartAndByPodRestart() throws Exception {
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.kill9(1);
            // Galera suspects the dead node for a few seconds, in which writes wait
            c.waitSynced(List.of(0, 2), 2, Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            Instant t0 = Instant.now();
            c.containerRestart(1);
            Scenarios.Timing container = Scenarios.awaitFormed(c, t0);
            Scenarios.writeFor(w, Duration.ofSeconds(2));

            c.kill9(1);
            c.waitSynced(List.of(0, 2), 2, Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            Instant t1 = Instant.now();
            c.podRestart(1);
            Scenarios.Timing pod = Scenarios.awaitFormed(c, t1);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(Scenarios.decision(c, 1)).isEqualTo("JOIN");
            assertThat(c.status(1).stateUuid()).isEqualTo(clusterUuid);
            Scenarios.record("S3 kill -9 under writes, container restart", c, container, check, "");
            Scenarios.record("S3 kill -9 under writes, pod restart", c, pod, check, "");
        }
    }

    @Test
    @Order(5)
    void s2RollingRestartEveryPodJoinsAgainNobodyBootstraps() throws Exception {
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Instant t0 = Instant.now();
            // a rolling update goes from the highest ordinal down, one pod Ready before the next
            for (int i = 2; i >= 0; i--) {
                c.gracefulStop(i);
                c.startPod(i);
                c.waitAllSynced(Scenarios.FORM);
                assertThat(Scenarios.decision(c, i)).as("decision of galera-%d", i).isEqualTo("JOIN");
            }
            Duration took = Duration.between(t0, Instant.now());
            w.stop();
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(c.status(0).stateUuid()).isEqualTo(clusterUuid);
            Scenarios.record("S2 rolling restart", c, new Scenarios.Timing(null, took), check, "2, 1, 0 one at a time");
            Timeline.record("S2 rolling restart", c, t0);
        }
    }

    @Test
    @Order(6)
    void s8Pod0RestartedWhileTheOthersRunJoinsThem() throws Exception {
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            Instant t0 = Instant.now();
            c.podRestart(0);
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(Scenarios.decision(c, 0)).isEqualTo("JOIN");
            assertThat(c.status(0).stateUuid()).isEqualTo(clusterUuid);
            Scenarios.record("S8 pod 0 restarted while 1 and 2 run", c, t, check, "");
        }
    }

    @Test
    @Order(7)
    void s12PartitionedPodTurnsNotReadyIsNotKilledAndRejoins() throws Exception {
        awaitReady(List.of(0, 1, 2));
        try (Writer w = Writer.start(c, List.of(0, 1), Scenarios.WRITE_PAUSE)) {
            c.partition(2);
            c.waitSynced(List.of(0, 1), 2, Scenarios.FORM);
            long end = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            boolean sawNotReady = false;
            while (System.nanoTime() < end) {
                WsrepStatus s2 = c.status(2);
                // until Galera notices the cut (suspect timeout) pod 2 still shows the old three-node view
                assertThat(s2 == null || !s2.primary() || s2.clusterSize() == 3)
                        .as("the cut-off pod is never a Primary of its own: %s", s2).isTrue();
                sawNotReady |= !c.pod(2).ready();
                PodNetwork.sleep(500);
            }
            assertThat(sawNotReady).as("the partitioned pod turned not-ready").isTrue();
            assertThat(c.pod(2).livenessRestarts()).as("liveness did not restart the partitioned pod").isZero();
            assertThat(c.pod(2).mariadbRunning()).isTrue();
            Instant t0 = Instant.now();
            c.heal(2);
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            awaitReady(List.of(2));
            w.stop();
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            Scenarios.record("S12 partition of pod 2 for 25 s", c, t, check, "not ready, no liveness restart; times from heal");
        }
    }

    @Test
    @Order(8)
    void s11ScaleFromThreeToFiveAndBack() throws Exception {
        try (Writer w = Writer.start(c, List.of(0, 1, 2), Scenarios.WRITE_PAUSE)) {
            Instant t0 = Instant.now();
            c.scaleTo(5);
            Scenarios.Timing up = Scenarios.awaitFormed(c, t0);
            assertThat(Scenarios.decision(c, 3)).isEqualTo("JOIN");
            assertThat(Scenarios.decision(c, 4)).isEqualTo("JOIN");
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            Scenarios.record("S11 scale 3 to 5", c, up, null, "");
            Instant t1 = Instant.now();
            c.scaleTo(3);
            Scenarios.Timing down = Scenarios.awaitFormed(c, t1);
            w.stop();
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            Scenarios.record("S11 scale 5 to 3", c, down, check, "rows over both steps");
        }
    }

    private static void awaitReady(List<Integer> pods) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!pods.stream().allMatch(i -> c.pod(i).ready())) {
            assertThat(System.nanoTime()).as("pods %s ready (readiness probe) within 60 s", pods).isLessThan(end);
            PodNetwork.sleep(250);
        }
    }
}
