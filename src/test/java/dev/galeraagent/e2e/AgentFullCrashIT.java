package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent after every pod went down, on one cluster in order: graceful stop 0, 1, 2 (S4), kill
 * -9 of all under writes (S5), pod 0 behind (S6), the most advanced pod late (S9), pod 0's data
 * wiped (S7), and one pod holding another cluster's history (S10).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentFullCrashIT {
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("fullcrash", 3, new AgentSteps());
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now());
        c.createAppSchema();
    }

    /** A scenario that failed must not leave the next one a broken cluster. */
    @BeforeEach
    void healthyCluster() throws Exception {
        c.restoreAll(Scenarios.FORM);
    }

    @AfterAll
    static void close() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    @Order(1)
    void s4AfterAGracefulStopInOrder012ThePodThatLeftLastBootstraps() throws Exception {
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            w.stop();
            for (int i = 0; i < 3; i++) {
                c.gracefulStop(i);
            }
            assertThat(Files.readString(c.pod(2).dataDir().resolve("grastate.dat"))).contains("safe_to_bootstrap: 1");
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(Scenarios.decision(c, 2)).isEqualTo("BOOTSTRAP_FROM_HERE");
            assertThat(Scenarios.decision(c, 0)).isEqualTo("JOIN");
            assertThat(Scenarios.decision(c, 1)).isEqualTo("JOIN");
            Scenarios.record("S4 graceful stop 0,1,2 then start all", c, t, check, "galera-2 left last: safe_to_bootstrap");
        }
    }

    @Test
    @Order(2)
    void s5AfterKill9OfEveryPodTheMostAdvancedBootstrapsAndTheOthersGetIst() throws Exception {
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(4));
            c.kill9All();
            w.stop();
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            int from = Scenarios.bootstrapper(c);
            long best = c.ordinals().stream().mapToLong(i -> Scenarios.publishedSeqno(c, i)).max().orElseThrow();
            assertThat(Scenarios.publishedSeqno(c, from)).as("the bootstrapping pod holds the highest seqno").isEqualTo(best);
            Scenarios.record("S5 kill -9 of every pod under writes", c, t, check, "compare: baselines");
            Timeline.record("S5 kill -9 of every pod under writes", c, t0);
        }
    }

    @Test
    @Order(3)
    void s6APod0ThatFellBehindDoesNotBootstrap() throws Exception {
        try (Writer w = Writer.start(c, List.of(1, 2), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            c.crashPod(0);
            c.waitSynced(List.of(1, 2), 2, Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.kill9All();
            w.stop();
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(Scenarios.decision(c, 0)).isNotIn("NEW_CLUSTER", "BOOTSTRAP_FROM_HERE");
            assertThat(Scenarios.bootstrapper(c)).isIn(1, 2);
            Scenarios.record("S6 full crash, pod 0 behind", c, t, check, "");
        }
    }

    @Test
    @Order(4)
    void s9TheOthersWaitForTheMostAdvancedPodInsteadOfBootstrappingOlderData() throws Exception {
        Writer w = Writer.start(c, List.of(2), Scenarios.WRITE_PAUSE);
        try (w) {
            c.gracefulStop(0);
            c.gracefulStop(1);
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.crashPod(2);
            w.stop();
        }
        String history = c.status(2) == null ? dev.galeraagent.galera.GrastateFile.parse(Files.readString(c.pod(2).dataDir().resolve("grastate.dat"))).position().uuid().toString()
                : c.status(2).stateUuid();
        Instant t0 = Instant.now();
        c.startPod(0);
        c.startPod(1);
        // pod 2 holds the last writes and stays away: nobody may form a cluster from older data
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        String waiting = null;
        while (System.nanoTime() < end) {
            for (int i : List.of(0, 1)) {
                WsrepStatus s = c.status(i);
                assertThat(s == null || !s.primary()).as("galera-%d formed a cluster without the newest data: %s", i, s).isTrue();
            }
            if (waiting == null && System.nanoTime() > end - Duration.ofSeconds(20).toNanos()) {
                waiting = agentStatus(0, 1);
            }
            PodNetwork.sleep(1000);
        }
        // issue 12: what a person sees during this wait, and that it names the pod to bring back
        for (int i : List.of(0, 1)) {
            assertThat(waiting).as(waiting).containsPattern("galera-" + i + " +\\S+ +waiting +not running +" + history + " +\\d+ +no +yes +WAIT");
        }
        // pod 2's Pod object still says Running (as when its node is gone, until the node controller notices) and its last
        // published state is the decision of its previous run
        // pod 2's entry names the history too when its previous run had one (not after a fresh start)
        assertThat(waiting).containsPattern("History: one, " + history + " on pods \\[0, 1(, 2)?\\]")
                .containsPattern("To do:\\n  \\* pods \\[0, 1\\] wait for galera-2 \\(Running, its last published state is decided \\S+ at \\S+ "
                        + "from an earlier run, /status no answer: [^)]*\\), which has not reported its state since the outage.*AGENT_RECOVERY_TIMEOUT");
        c.startPod(2);
        Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        assertThat(Scenarios.decision(c, 2)).isEqualTo("BOOTSTRAP_FROM_HERE");
        Scenarios.record("S9 most advanced pod down for 40 s", c, t, check, "times include the 40 s wait");
    }

    @Test
    @Order(5)
    void s7APod0WithAWipedDataDirNeverBootstrapsAndGetsAFullTransfer() throws Exception {
        // no client writes to pod 0: a row pod 0 acknowledged and the others had not committed yet when everything was
        // killed lives only on the volume this scenario then wipes; that loss is the wipe's, not the recovery's
        try (Writer w = Writer.start(c, List.of(1, 2), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.kill9All();
            w.stop();
            Scenarios.wipe(c.pod(0).dataDir());
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(Scenarios.decision(c, 0)).isNotIn("NEW_CLUSTER", "BOOTSTRAP_FROM_HERE");
            assertThat(Scenarios.bootstrapper(c)).isIn(1, 2);
            assertThat(lastRunOf(c.pod(0).errorLog())).contains("SST received");
            Scenarios.record("S7 full crash, pod 0 data wiped", c, t, check, "pod 0: full SST");
        }
    }

    @Test
    @Order(6)
    void s10AnotherClustersHistoryIsRefusedUntilAPersonForcesTheChoice() throws Exception {
        for (int i = 0; i < 3; i++) {
            c.gracefulStop(i);
        }
        String ours = c.pod(0).dataDir().resolve("grastate.dat").toString();
        foreignHistory(c.pod(2));
        Instant t0 = Instant.now();
        c.startAll();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.ordinals().stream().allMatch(AgentFullCrashIT::refused)) {
            assertThat(System.nanoTime()).as("every pod refuses within 60 s").isLessThan(end);
            for (int i : c.ordinals()) {
                WsrepStatus s = c.status(i);
                assertThat(s == null || !s.primary()).as("nobody starts a cluster from mixed histories").isTrue();
            }
            PodNetwork.sleep(500);
        }
        // issue 12: every pod refused, and the status says which override a person may give
        String refusedStatus = agentStatus(1, 1);
        for (int i : c.ordinals()) {
            assertThat(refusedStatus).as(refusedStatus).containsPattern("galera-" + i + " +\\S+ +refused .* REFUSE");
        }
        assertThat(refusedStatus).contains("History: DIFFERENT: ").contains("REFUSED to start: the pods hold different histories")
                .contains("AGENT_FORCE_BOOTSTRAP_FROM=<ordinal>");
        String log = AgentSteps.bootstrapLog(c.pod(0));
        c.event("refusal: " + log.lines().filter(l -> l.contains("REFUSE") || l.contains("uuid")).toList());
        assertThat(log).contains("REFUSE");

        AgentSteps steps = (AgentSteps) c.steps();
        // the override names the position the person saw (the REFUSE message lists it), as the guide says
        String seen = dev.galeraagent.galera.GrastateFile.parse(java.nio.file.Files.readString(c.pod(0).dataDir().resolve("grastate.dat"))).position().toString();
        assertThat(log).contains("0@" + seen);
        for (int i : c.ordinals()) {
            steps.setEnv(i, "AGENT_FORCE_BOOTSTRAP_FROM", "0@" + seen);
        }
        Instant t1 = Instant.now();
        for (int i : c.ordinals()) {
            c.podRestart(i);
        }
        Scenarios.Timing t = Scenarios.awaitFormed(c, t1);
        for (int i : c.ordinals()) {
            steps.clearEnv(i);
        }
        assertThat(c.status(2).stateUuid()).isEqualTo(c.status(0).stateUuid());
        Scenarios.assertOneComponent(c);
        Scenarios.record("S10 another cluster's history on pod 2", c, t, null,
                "refused within " + Pod.seconds(Duration.between(t0, t1)) + " s; forced from 0 (" + ours + ")");
    }

    /**
     * {@code agent status} run in pod {@code from} as a person would, its output kept in the cluster directory for the
     * guide; {@code exit} is 1 while the "To do" list is not empty.
     */
    private static String agentStatus(int from, int exit) throws Exception {
        Pod pod = c.pod(from);
        Exec.Result r = pod.exec(Duration.ofSeconds(60), pod.workDir().resolve("agent").toString(), "status",
                "--kubeconfig", c.kubeconfig().toString());
        String out = r.output();
        Files.writeString(c.dir().resolve("agent-status-" + Instant.now().toEpochMilli() + ".txt"), out);
        c.event("agent status in galera-" + from + ":\n" + out);
        assertThat(r.exit()).as(out).isEqualTo(exit);
        return out;
    }

    /** The pod's bootstrap said REFUSE: exit code 3, or the plan in its log while it waits for a person. */
    private static boolean refused(int i) {
        try {
            return c.pod(i).initRuns().stream().anyMatch(r -> r.exit() == 3) || "REFUSE".equals(Scenarios.lastPlanInLog(c.pod(i)));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String lastRunOf(Path errorLog) throws Exception {
        String log = Files.readString(errorLog, java.nio.charset.StandardCharsets.ISO_8859_1);
        int i = log.lastIndexOf("Starting MariaDB");
        return i < 0 ? log : log.substring(i);
    }

    /** Replaces the pod's data with a single-node cluster of its own, bootstrapped and stopped cleanly inside the pod. */
    private static void foreignHistory(Pod pod) throws Exception {
        Scenarios.wipe(pod.dataDir());
        Exec.Result r = pod.exec(Duration.ofMinutes(2), "sh", "-c", """
                cnf=$0; sock=$1
                mariadb-install-db --defaults-file="$cnf" --user=mysql --skip-test-db --auth-root-authentication-method=socket >/dev/null 2>&1 || exit 1
                /usr/sbin/mariadbd --defaults-file="$cnf" --wsrep-new-cluster --wsrep-cluster-address=gcomm:// & pid=$!
                for i in $(seq 120); do
                  [ "$(mariadb --no-defaults -S "$sock" -uroot -N -B -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ] && break
                  sleep 0.5
                done
                kill -TERM $pid; wait $pid
                """, pod.imageConfig().toString(), pod.socket().toString());
        assertThat(r.ok()).as("foreign cluster in %s: %s", pod.name(), r.output()).isTrue();
        assertThat(Files.readString(pod.dataDir().resolve("grastate.dat"))).contains("safe_to_bootstrap: 1");
    }
}
