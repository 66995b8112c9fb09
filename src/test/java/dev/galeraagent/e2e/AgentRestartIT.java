package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.handoff.HandOff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Container-only restarts of mariadbd, where no init container runs and only {@code agent prepare-start} keeps the
 * node's position: the bootstrapped pod killed before anyone joined (S21), and every pod killed under writes in
 * turn (S22).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentRestartIT {
    private static final String BLOCK_TABLE = "gae_block_galera";
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("restart", 3, new AgentSteps());
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now());
        c.createAppSchema();
    }

    /** A scenario that failed must not leave the next one a broken cluster. */
    @BeforeEach
    void healthyCluster() throws Exception {
        for (int i : c.ordinals()) {
            unblockGalera(i);
        }
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
    void s21TheBootstrappedPodKilledBeforeAnyoneJoinedComesBackWithItsHistoryAndTheOthersJoinIt() throws Exception {
        winnerKilledBeforeAnyoneJoined(c, "S21 winner killed before anyone joined, container restart");
    }

    /** S21 on any cluster (AgentFullCrash5IT runs it on five pods). */
    static void winnerKilledBeforeAnyoneJoined(Cluster c, String scenario) throws Exception {
        String history = c.status(0).stateUuid();
        Writer before = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE);
        try (before) {
            Scenarios.writeFor(before, Duration.ofSeconds(4));
            c.kill9All();
            before.stop();
        }
        // Galera's own port closed in every pod: the election and the bootstrap go on (API, DNS, /status), but no
        // joiner reaches the winner, so the winner is alone in its Primary component when it is killed
        for (int i : c.ordinals()) {
            blockGalera(c, i);
        }
        Instant t0 = Instant.now();
        c.startAll();
        c.waitPrimary(Scenarios.FORM);
        int winner = Scenarios.bootstrapper(c);
        Path done = c.pod(winner).configDir().resolve(HandOff.DONE);
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!Files.exists(done)) {
            assertThat(System.nanoTime()).as("the hand-off completes within a minute of Primary").isLessThan(end);
            PodNetwork.sleep(200);
        }
        c.event("hand-off of galera-" + winner + " completed; nobody joined");
        assertThat(c.status(winner).clusterSize()).as("the winner is alone").isEqualTo(1);
        assertThat(c.status(winner).stateUuid()).as("BOOTSTRAP_FROM_HERE keeps the history").isEqualTo(history);

        Writer alone = Writer.start(c, List.of(winner), Scenarios.WRITE_PAUSE);
        try (alone) {
            Scenarios.writeFor(alone, Duration.ofSeconds(3));
            c.event("kill -9 of galera-" + winner + "'s mariadbd, rows on one node only");
            c.kill9(winner);
            alone.stop();
        }
        Instant t1 = Instant.now();
        c.containerRestart(winner);
        c.await("galera-" + winner + " Primary again", Scenarios.FORM, s -> s.get(winner) != null && s.get(winner).primary());
        Duration restored = Duration.between(t1, Instant.now());
        assertThat(c.status(winner).stateUuid()).as("after the container restart: one history").isEqualTo(history);
        assertThat(containerLog(c.pod(winner), "mariadb")).contains("--wsrep-start-position=" + history + ":");

        for (int i : c.ordinals()) {
            unblockGalera(c, i);
        }
        c.waitAllSynced(Scenarios.FORM);
        Scenarios.Timing t = new Scenarios.Timing(Duration.between(t0, t1).plus(restored), Duration.between(t0, Instant.now()));
        Checker.Check check = Scenarios.assertNoLoss(c, before);
        Checker.Check aloneCheck = Scenarios.assertNoLoss(c, alone);
        for (int i : c.ordinals()) {
            assertThat(c.status(i).stateUuid()).as("galera-%d's cluster uuid", i).isEqualTo(history);
            assertThat(Scenarios.decision(c, i)).as("galera-%d's decision", i).isNotEqualTo("REFUSE");
        }
        Scenarios.record(scenario, c, t, check,
                "galera-" + winner + " Primary again " + Pod.seconds(restored) + " s after its restart, same uuid; "
                        + aloneCheck.acked() + " rows written on it alone, 0 lost; Galera port closed until then");
    }

    @Test
    @Order(2)
    void s22EveryContainerRestartAfterAKill9UnderWritesKeepsItsPositionAndGetsIst() throws Exception {
        String history = c.status(0).stateUuid();
        List<String> notes = new ArrayList<>();
        Instant t0 = Instant.now();
        Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE);
        try (w) {
            for (int i : c.ordinals()) {
                Scenarios.writeFor(w, Duration.ofSeconds(2));
                long logBefore = Files.size(c.pod(i).errorLog());
                c.kill9(i);
                // the others go on writing (after about 5 s, when they have evicted it): the restarted node must catch
                // up on what it missed
                Scenarios.writeFor(w, Duration.ofSeconds(8));
                Instant t1 = Instant.now();
                c.containerRestart(i);
                c.waitAllSynced(Scenarios.FORM);
                String restart = Files.readString(c.pod(i).errorLog(), StandardCharsets.ISO_8859_1).substring((int) logBefore);
                assertThat(containerLog(c.pod(i), "mariadb")).contains("--wsrep-start-position=" + history + ":");
                // MariaDB runs the SST script in IST mode too ("SST received" at the node's own position, nothing copied):
                // the script's last line tells which transfer it did
                assertThat(restart).as("galera-%d's restart", i).contains("IST completed on joiner").contains("IST received")
                        .doesNotContain("SST completed on joiner");
                for (int j : c.ordinals()) {
                    assertThat(c.status(j).stateUuid()).as("galera-%d's cluster uuid", j).isEqualTo(history);
                }
                notes.add("galera-" + i + " IST, Synced in " + Pod.seconds(Duration.between(t1, Instant.now())) + " s");
            }
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
        }
        Scenarios.Timing t = new Scenarios.Timing(null, Duration.between(t0, Instant.now()));
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        Scenarios.record("S22 kill -9 + container restart of each pod under writes", c, t, check, String.join("; ", notes));
    }

    @Test
    @Order(3)
    void s23TheWinnerKilledTwiceAfterTheOthersDecidedJoinComesBackWithOneHistoryWithoutAPerson() throws Exception {
        String history = c.status(0).stateUuid();
        Writer before = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE);
        try (before) {
            Scenarios.writeFor(before, Duration.ofSeconds(4));
            c.kill9All();
            before.stop();
        }
        for (int i : c.ordinals()) {
            blockGalera(i);
        }
        Instant t0 = Instant.now();
        c.startAll();
        c.waitPrimary(Scenarios.FORM);
        int winner = Scenarios.bootstrapper(c);
        Path done = c.pod(winner).configDir().resolve(HandOff.DONE);
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        List<Integer> others = c.ordinals().stream().filter(i -> i != winner).toList();
        while (!Files.exists(done) || !others.stream().allMatch(AgentRestartIT::decidedJoin)) {
            assertThat(System.nanoTime()).as("the hand-off completes and the others decide JOIN within a minute: %s",
                    Scenarios.decisions(c)).isLessThan(end);
            PodNetwork.sleep(200);
        }
        c.event("hand-off of galera-" + winner + " completed; the others decided JOIN; nobody joined");
        assertThat(c.status(winner).clusterSize()).as("the winner is alone").isEqualTo(1);

        List<Writer> alone = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int kill = 1; kill <= 2; kill++) {
            Writer w = Writer.start(c, List.of(winner), Scenarios.WRITE_PAUSE);
            try (w) {
                // the second kill comes as soon as the restarted node is Primary again, with a second of writes
                Scenarios.writeFor(w, Duration.ofSeconds(kill == 1 ? 3 : 1));
                c.event("kill -9 #" + kill + " of galera-" + winner + "'s mariadbd, rows on one node only");
                c.kill9(winner);
                w.stop();
            }
            alone.add(w);
            Instant t1 = Instant.now();
            c.containerRestart(winner);
            c.await("galera-" + winner + " Primary again", Scenarios.FORM, s -> s.get(winner) != null && s.get(winner).primary());
            assertThat(c.status(winner).stateUuid()).as("after restart #%d: one history", kill).isEqualTo(history);
            assertThat(containerLog(c.pod(winner), "mariadb")).contains("--wsrep-start-position=" + history + ":");
            notes.add("kill #" + kill + ": Primary again " + Pod.seconds(Duration.between(t1, Instant.now())) + " s after the restart, "
                    + w.acked().size() + " rows on it alone");
        }
        Instant opened = Instant.now();
        for (int i : c.ordinals()) {
            unblockGalera(i);
        }
        c.waitAllSynced(Scenarios.FORM);
        Scenarios.Timing t = new Scenarios.Timing(null, Duration.between(t0, Instant.now()));
        Checker.Check check = Scenarios.assertNoLoss(c, before);
        for (Writer w : alone) {
            Scenarios.assertNoLoss(c, w);
        }
        for (int i : c.ordinals()) {
            assertThat(c.status(i).stateUuid()).as("galera-%d's cluster uuid", i).isEqualTo(history);
            assertThat(Scenarios.decision(c, i)).as("galera-%d's decision", i).isNotEqualTo("REFUSE");
        }
        assertThat(c.pod(winner).dataDir().resolve("grastate.dat")).exists();
        Scenarios.record("S23 winner killed twice before anyone joined", c, t, check, String.join("; ", notes)
                + "; 0 lost; all Synced " + Pod.seconds(Duration.between(opened, Instant.now())) + " s after Galera's port opened; no person");
    }

    private static boolean decidedJoin(int i) {
        try {
            return "JOIN".equals(Scenarios.decision(c, i));
        } catch (IOException e) {
            return false;
        }
    }

    /** The container's output since its last start. */
    private static String containerLog(Pod pod, String container) throws IOException {
        String log = Files.readString(pod.logDir().resolve(container + ".log"), StandardCharsets.ISO_8859_1);
        int i = log.lastIndexOf("=== ");
        return i < 0 ? log : log.substring(i);
    }

    private static void blockGalera(int i) throws IOException {
        blockGalera(c, i);
    }

    private static void unblockGalera(int i) throws IOException {
        unblockGalera(c, i);
    }

    /** Drops Galera's group-communication traffic (port 4567) in and out of pod i; the rest of its network works. */
    static void blockGalera(Cluster c, int i) throws IOException {
        c.event("Galera port 4567 closed in galera-" + i);
        Exec.ok("sh", "-c", "printf '%s\\n' \"$1\" | ip netns exec \"$0\" nft -f -", PodNetwork.netns(i),
                "table inet " + BLOCK_TABLE + " {\n chain out { type filter hook output priority 0; tcp dport 4567 drop; }\n"
                        + " chain in { type filter hook input priority 0; tcp dport 4567 drop; }\n}");
    }

    static void unblockGalera(Cluster c, int i) throws IOException {
        Exec.Result r = Exec.run("ip", "netns", "exec", PodNetwork.netns(i), "nft", "delete", "table", "inet", BLOCK_TABLE);
        if (r.ok()) {
            c.event("Galera port 4567 open again in galera-" + i);
        }
    }
}
