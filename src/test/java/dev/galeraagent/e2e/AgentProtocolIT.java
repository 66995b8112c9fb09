package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.galera.GrastateFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The recovery protocol's edges on real Galera, on one cluster in order: an override left in place (S19), a recovery
 * quorum below all with a slow winner (S16), a decision whose publish times out (S17), a probe password that no longer
 * works (S20), and one node's clock 90 s ahead (S18).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentProtocolIT {
    private static final Pattern BOOTSTRAPPED = Pattern.compile("decision (BOOTSTRAP_FROM_HERE|NEW_CLUSTER)\\b");
    private static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    private static Cluster c;
    private static AgentSteps steps;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        steps = new AgentSteps();
        c = Cluster.create("protocol", 3, steps);
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now());
        c.createAppSchema();
    }

    /** A scenario that failed must not leave the next one a broken cluster, nor its flags. */
    @BeforeEach
    void healthyCluster() throws Exception {
        for (int i : c.ordinals()) {
            steps.clearEnv(i);
            steps.clearMariadbStartDelay(i);
        }
        // S20 rotates the probe user's password: a failure there must not leave every sidecar locked out
        for (int i : c.ordinals()) {
            WsrepStatus st = c.status(i);
            if (st != null && st.primary()) {
                c.pod(i).sql("ALTER USER IF EXISTS 'probe'@'%' IDENTIFIED BY '" + AgentSteps.PROBE_PASSWORD + "'");
                break;
            }
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
    void s19AnOverrideLeftInPlaceIsIgnoredAtTheNextOutageAndTheElectionDecides() throws Exception {
        String history = c.status(0).stateUuid();
        // first outage: a clean stop 0, 1, 2 leaves galera-2 safe_to_bootstrap, and every pod holds every row; a person
        // forces galera-0 all the same
        Writer first = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE);
        try (first) {
            Scenarios.writeFor(first, Duration.ofSeconds(3));
            first.stop();
        }
        for (int i : c.ordinals()) {
            c.gracefulStop(i);
        }
        String seen = GrastateFile.parse(Files.readString(c.pod(0).dataDir().resolve("grastate.dat"))).position().toString();
        String override = "0@" + seen;
        for (int i : c.ordinals()) {
            steps.setEnv(i, "AGENT_FORCE_BOOTSTRAP_FROM", override);
        }
        Map<Integer, Long> mark = marks();
        Instant t0 = Instant.now();
        c.startAll();
        Scenarios.awaitFormed(c, t0);
        assertThat(bootstrapsSince(mark)).as("the forced bootstrap").containsExactly("galera-0 BOOTSTRAP_FROM_HERE");
        assertThat(AgentSteps.published(c, 0).forcedFrom()).isZero();
        Scenarios.assertNoLoss(c, first);

        // second outage, the override still in the manifest: galera-0 falls behind, 1 and 2 go on
        Writer w = Writer.start(c, List.of(1, 2), Scenarios.WRITE_PAUSE);
        try (w) {
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            c.crashPod(0);
            c.waitSynced(List.of(1, 2), 2, Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.kill9All();
            w.stop();
        }
        mark = marks();
        Instant t1 = Instant.now();
        c.startAll();
        Scenarios.Timing t = Scenarios.awaitFormed(c, t1);
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        List<String> bootstraps = bootstrapsSince(mark);
        assertThat(bootstraps).as("one bootstrap, elected: never the overridden galera-0").hasSize(1)
                .allSatisfy(b -> assertThat(b).isIn("galera-1 BOOTSTRAP_FROM_HERE", "galera-2 BOOTSTRAP_FROM_HERE"));
        int winner = Integer.parseInt(bootstraps.getFirst().substring("galera-".length(), "galera-".length() + 1));
        String ignored = "--force-bootstrap-from=" + override + " is ignored";
        assertThat(since(c.pod(winner), mark)).as("galera-%d says the override is ignored", winner).contains(ignored);
        assertThat(AgentSteps.published(c, winner).reasons()).anySatisfy(r -> assertThat(r).contains(ignored));
        assertThat(Scenarios.decision(c, 0)).isEqualTo("JOIN");
        assertOneHistory(history);
        Scenarios.record("S19 override left in place at a later outage", c, t, check, "first outage forced from " + override
                + " (0 of " + first.acked().size() + " rows lost); at the second, galera-0 behind: override ignored (WARNING), galera-"
                + winner + " elected");
    }

    @Test
    @Order(2)
    void s16WithARecoveryQuorumOf2ASlowWinnerIsWaitedForAndNobodyBootstrapsBesideIt() throws Exception {
        String history = c.status(0).stateUuid();
        // galera-2 holds rows the others do not (as S9)
        Writer w = Writer.start(c, List.of(2), Scenarios.WRITE_PAUSE);
        try (w) {
            c.gracefulStop(0);
            c.gracefulStop(1);
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.crashPod(2);
            w.stop();
        }
        Duration slow = Duration.ofSeconds(30);
        for (int i : c.ordinals()) {
            steps.setEnv(i, "AGENT_RECOVERY_QUORUM", "2");
            steps.setEnv(i, "AGENT_RECOVERY_TIMEOUT", "10s");
        }
        steps.setMariadbStartDelay(2, slow);
        Map<Integer, Long> mark = marks();
        int initsBefore = c.pod(2).initRuns().size();
        Instant t0 = Instant.now();
        c.startAll();
        long end = System.nanoTime() + Scenarios.FORM.toNanos();
        while (c.pod(2).initRuns().stream().skip(initsBefore).noneMatch(r -> r.container().equals("bootstrap") && r.exit() == 0)) {
            assertThat(System.nanoTime()).as("galera-2 decides").isLessThan(end);
            PodNetwork.sleep(200);
        }
        Instant decided = Instant.now();
        c.event("galera-2 decided; its mariadbd starts in " + slow.toSeconds() + " s");
        assertThat(bootstrapsSince(mark)).containsExactly("galera-2 BOOTSTRAP_FROM_HERE");
        // past the recovery timeout, a fresh run of galera-0 that never saw galera-2's state while its agent ran
        PodNetwork.sleep(12_000);
        c.podRestart(0);
        while (Instant.now().isBefore(decided.plus(slow).minusSeconds(1))) {
            for (int i : List.of(0, 1)) {
                WsrepStatus s = c.status(i);
                assertThat(s == null || !s.primary()).as("galera-%d formed a cluster beside the slow winner: %s", i, s).isTrue();
            }
            assertThat(bootstrapsSince(mark)).as("no second bootstrap while galera-2 is slow").containsExactly("galera-2 BOOTSTRAP_FROM_HERE");
            PodNetwork.sleep(1000);
        }
        Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
        steps.clearMariadbStartDelay(2);
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        assertThat(bootstrapsSince(mark)).as("exactly one bootstrap").containsExactly("galera-2 BOOTSTRAP_FROM_HERE");
        assertThat(Scenarios.decision(c, 0)).isEqualTo("JOIN");
        assertThat(Scenarios.decision(c, 1)).isEqualTo("JOIN");
        assertOneHistory(history);
        String why = waitReasons(c.pod(0), mark);
        c.event("galera-0 waited because: " + why);
        Scenarios.record("S16 quorum 2 of 3, the winner's mariadbd 30 s slow", c, t, check,
                "recovery timeout 10 s; galera-0 restarted 12 s into the wait; one bootstrap, one uuid; times include the 30 s");
    }

    @Test
    @Order(3)
    void s17ADecisionWhosePublishTimesOutIsNotActedOnAndTheNextOutageTrustsNothingStale() throws Exception {
        String history = c.status(0).stateUuid();
        Writer w = Writer.start(c, List.of(2), Scenarios.WRITE_PAUSE);
        try (w) {
            c.gracefulStop(0);
            c.gracefulStop(1);
            Scenarios.writeFor(w, Duration.ofSeconds(3));
            c.crashPod(2);
            w.stop();
        }
        Duration window = Duration.ofSeconds(40);
        int heldBefore = c.kubeApi().heldPublishes();
        Map<Integer, Long> mark = marks();
        c.kubeApi().slowDecidedPublishes(2, window);
        Instant faultEnd = Instant.now().plus(window);
        c.event("every publish of galera-2's decision times out for " + window.toSeconds() + " s");
        Instant t0 = Instant.now();
        c.startAll();
        Path config = c.pod(2).configDir().resolve("galera.cnf");
        while (Instant.now().isBefore(faultEnd)) {
            assertThat(config).as("galera-2 wrote its config on an unpublished decision").doesNotExist();
            assertThat(c.pod(2).mariadbRunning()).as("galera-2 started mariadbd on an unpublished decision").isFalse();
            for (int i : c.ordinals()) {
                WsrepStatus s = c.status(i);
                assertThat(s == null || !s.primary()).as("galera-%d Primary during the fault", i).isTrue();
            }
            PodNetwork.sleep(500);
        }
        int held = c.kubeApi().heldPublishes() - heldBefore;
        assertThat(held).as("publishes of galera-2's decision that timed out").isPositive();
        Scenarios.Timing first = Scenarios.awaitFormed(c, t0);
        String log2 = since(c.pod(2), mark);
        assertThat(log2).contains("could not be published");
        assertThat(bootstrapsSince(mark)).as("one bootstrap, once published").containsExactly("galera-2 BOOTSTRAP_FROM_HERE");
        Scenarios.assertNoLoss(c, w);

        // the next outage: galera-2's published decision is from the earlier outage; it falls behind, 0 and 1 go on
        Writer w2 = Writer.start(c, List.of(0, 1), Scenarios.WRITE_PAUSE);
        try (w2) {
            Scenarios.writeFor(w2, Duration.ofSeconds(2));
            c.crashPod(2);
            c.waitSynced(List.of(0, 1), 2, Scenarios.FORM);
            Scenarios.writeFor(w2, Duration.ofSeconds(3));
            c.kill9All();
            w2.stop();
        }
        mark = marks();
        Instant t1 = Instant.now();
        c.startAll();
        Scenarios.Timing t = Scenarios.awaitFormed(c, t1);
        Checker.Check check = Scenarios.assertNoLoss(c, w2);
        List<String> bootstraps = bootstrapsSince(mark);
        assertThat(bootstraps).hasSize(1).allSatisfy(b -> assertThat(b).isIn("galera-0 BOOTSTRAP_FROM_HERE", "galera-1 BOOTSTRAP_FROM_HERE"));
        assertThat(Scenarios.decision(c, 2)).isEqualTo("JOIN");
        for (int i : c.ordinals()) {
            assertThat(since(c.pod(i), mark)).as("galera-%d's position comes from its data", i).contains("recovered position");
        }
        int winner = Integer.parseInt(bootstraps.getFirst().substring("galera-".length(), "galera-".length() + 1));
        long best = c.ordinals().stream().mapToLong(i -> Scenarios.publishedSeqno(c, i)).max().orElseThrow();
        assertThat(Scenarios.publishedSeqno(c, winner)).as("the winner holds the highest recovered seqno").isEqualTo(best);
        assertOneHistory(history);
        Scenarios.record("S17 decided publish times out, then a later outage", c, t, check, held + " publishes of galera-2's "
                + "BOOTSTRAP_FROM_HERE timed out in " + window.toSeconds() + " s: no config, no mariadbd; formed "
                + Pod.seconds(first.toAllSynced()) + " s after the start; next outage: galera-" + winner + " elected on recovered seqnos");
    }

    @Test
    @Order(4)
    void s20AProbePasswordThatNoLongerWorksKeepsTheOneShotBootstrapFromBeingReused() throws Exception {
        String history = c.status(0).stateUuid();
        // the probe user's password is rotated in MariaDB (replicated to every node), the sidecars' Secret is not
        // (a session logged in before keeps working: the sidecars notice at their next login, after the crash)
        c.pod(0).sqlOk("ALTER USER 'probe'@'%' IDENTIFIED BY 'rotated-but-not-in-the-secret'");
        Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE);
        try (w) {
            Scenarios.writeFor(w, Duration.ofSeconds(4));
            c.kill9All();
            w.stop();
        }
        Map<Integer, Long> mark = marks();
        Instant t0 = Instant.now();
        c.startAll();
        c.waitPrimary(Scenarios.FORM);
        List<String> bootstraps = bootstrapsSince(mark);
        assertThat(bootstraps).hasSize(1);
        int winner = Integer.parseInt(bootstraps.getFirst().substring("galera-".length(), "galera-".length() + 1));
        Path once = c.pod(winner).configDir().resolve("galera-once.d").resolve("bootstrap.cnf");
        // the sidecar cannot see that its node is Primary: the one-shot stays, and the others see no Primary to join
        PodNetwork.sleep(8_000);
        assertThat(once).as("the sidecar cannot log in, so it cannot remove the one-shot").exists();
        assertThat(Files.readString(once)).contains("wsrep_new_cluster");
        String readyWinner = awaitReadyBody(winner, "denied access");
        assertThat(c.status(winner).primary()).isTrue();

        Writer alone = Writer.start(c, List.of(winner), Scenarios.WRITE_PAUSE);
        try (alone) {
            Scenarios.writeFor(alone, Duration.ofSeconds(3));
            c.event("kill -9 of galera-" + winner + "'s mariadbd, its one-shot bootstrap still in place");
            c.kill9(winner);
            alone.stop();
        }
        Instant t1 = Instant.now();
        c.containerRestart(winner);
        c.await("galera-" + winner + " Primary again", Scenarios.FORM, s -> s.get(winner) != null && s.get(winner).primary());
        Duration restored = Duration.between(t1, Instant.now());
        String mariadbLog = lastRun(c.pod(winner).logDir().resolve("mariadb.log"));
        assertThat(mariadbLog).as("prepare-start drops the spent one-shot").contains("removed the spent one-shot file");
        assertThat(once).doesNotExist();
        assertThat(c.status(winner).stateUuid()).as("the restart keeps the history").isEqualTo(history);

        // the Secret catches up (here: the password set back): the sidecars log in, the others join
        c.pod(winner).sqlOk("ALTER USER 'probe'@'%' IDENTIFIED BY '" + AgentSteps.PROBE_PASSWORD + "'");
        c.waitAllSynced(Scenarios.FORM);
        Scenarios.Timing t = new Scenarios.Timing(Duration.between(t0, t1).plus(restored), Duration.between(t0, Instant.now()));
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        Checker.Check aloneCheck = Scenarios.assertNoLoss(c, alone);
        assertThat(bootstrapsSince(mark)).as("no second bootstrap").hasSize(1);
        assertOneHistory(history);
        for (int i : c.ordinals()) {
            if (i != winner) {
                assertThat(Scenarios.decision(c, i)).isEqualTo("JOIN");
            }
        }
        Scenarios.record("S20 probe password no longer works during a full crash", c, t, check, "/ready: \"" + readyWinner
                + "\"; galera-" + winner + "'s one-shot kept until its kill -9, removed by prepare-start; Primary again "
                + Pod.seconds(restored) + " s after its restart, same uuid; " + aloneCheck.acked() + " rows on it alone, 0 lost");
    }

    @Test
    @Order(5)
    void s18OneNodesClock90sAheadKeepsOneBootstrapAndOneHistory() throws Exception {
        assumeTrue(Files.exists(Path.of(LIBFAKETIME)), "libfaketime (Debian package libfaketime) is installed");
        String history = c.status(0).stateUuid();
        // galera-1's node clock is 90 s ahead: its agent (bootstrap and sidecar) runs under libfaketime
        Map<String, String> skew = Map.of("LD_PRELOAD", LIBFAKETIME, "FAKETIME", "+90s", "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                "NO_FAKE_STAT", "1");
        skew.forEach((k, v) -> {
            steps.setEnv(1, k, v);
            steps.setSidecarEnv(1, k, v);
        });
        try {
            c.podRestart(1);
            c.waitAllSynced(Scenarios.FORM);
            // galera-1 holds rows the others do not: it wins, takes the Lease and writes its times with its clock
            Writer w = Writer.start(c, List.of(1), Scenarios.WRITE_PAUSE);
            try (w) {
                c.gracefulStop(0);
                c.gracefulStop(2);
                Scenarios.writeFor(w, Duration.ofSeconds(3));
                c.crashPod(1);
                w.stop();
            }
            Map<Integer, Long> mark = marks();
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(bootstrapsSince(mark)).containsExactly("galera-1 BOOTSTRAP_FROM_HERE");
            assertThat(Scenarios.decision(c, 0)).isEqualTo("JOIN");
            assertThat(Scenarios.decision(c, 2)).isEqualTo("JOIN");
            assertOneHistory(history);
            JsonNode lease = c.kubeApi().lease();
            Instant acquired = Instant.parse(lease.path("spec").path("acquireTime").asString());
            // taken before its node became Primary, yet stamped well after that moment: stamped with galera-1's clock
            Duration ahead = Duration.between(t0.plus(t.toPrimary()), acquired);
            c.event("Lease after the recovery: " + lease.path("spec"));
            assertThat(ahead).as("galera-1 took the Lease with its own clock, 90 s ahead").isGreaterThan(Duration.ofSeconds(30));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!c.kubeApi().lease().path("spec").path("holderIdentity").asString("").isEmpty()) {
                assertThat(System.nanoTime()).as("galera-1's sidecar releases the Lease at Primary").isLessThan(end);
                PodNetwork.sleep(500);
            }
            Scenarios.record("S18 one node's clock 90 s ahead (libfaketime), full crash", c, t, check,
                    "galera-1 (skewed) won: Lease acquireTime " + ahead.toSeconds() + " s after the real moment of Primary, released at Primary; one bootstrap, one uuid");
        } finally {
            steps.clearEnv(1);
            steps.clearSidecarEnv(1);
        }
    }

    /** Every pod's bootstrap log length now: what a scenario's decisions are read after. */
    private static Map<Integer, Long> marks() throws IOException {
        Map<Integer, Long> m = new HashMap<>();
        for (int i : c.ordinals()) {
            Path log = c.pod(i).logDir().resolve("bootstrap.log");
            m.put(i, Files.exists(log) ? Files.size(log) : 0L);
        }
        return m;
    }

    /** Pod's bootstrap output written after the mark. */
    private static String since(Pod pod, Map<Integer, Long> mark) throws IOException {
        Path log = pod.logDir().resolve("bootstrap.log");
        if (!Files.exists(log)) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = mark.getOrDefault(pod.ordinal(), 0L);
            byte[] b = new byte[(int) Math.max(0, f.length() - from)];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    /** Every decision to bootstrap logged by any pod's agent bootstrap since the mark: {@code galera-N PLAN}. */
    private static List<String> bootstrapsSince(Map<Integer, Long> mark) throws IOException {
        List<String> found = new ArrayList<>();
        for (int i : c.ordinals()) {
            Matcher m = BOOTSTRAPPED.matcher(since(c.pod(i), mark));
            while (m.find()) {
                found.add(PodNetwork.podName(i) + " " + m.group(1));
            }
        }
        return found;
    }

    /** The reasons a pod logged while it waited, since the mark. */
    private static String waitReasons(Pod pod, Map<Integer, Long> mark) throws IOException {
        return String.join(" | ", since(pod, mark).lines().filter(l -> l.contains("waiting: ")).map(l -> l.substring(l.indexOf("waiting: "))).toList());
    }

    private static void assertOneHistory(String history) {
        for (int i : c.ordinals()) {
            assertThat(c.status(i).stateUuid()).as("galera-%d's cluster uuid", i).isEqualTo(history);
        }
    }

    /** Pod i's /ready answer (code and body) once it contains {@code text}, within a minute. */
    private static String awaitReadyBody(int i, String text) throws IOException {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        String body = "";
        while (System.nanoTime() < end) {
            Exec.Result r = c.pod(i).exec(Duration.ofSeconds(5), "curl", "-s", "-w", " (%{http_code})", "--max-time", "3",
                    "http://" + c.pod(i).ip() + ":" + AgentSteps.STATUS_PORT + "/ready");
            body = r.output().strip();
            if (body.contains(text)) {
                return body;
            }
            PodNetwork.sleep(1000);
        }
        throw new AssertionError("galera-" + i + "'s /ready never said '" + text + "': " + body);
    }

    private static String lastRun(Path log) throws IOException {
        String s = Files.readString(log, StandardCharsets.ISO_8859_1);
        int i = s.lastIndexOf("=== ");
        return i < 0 ? s : s.substring(i);
    }
}
