package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.status.PublishedState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * State transfers cut off on real Galera: a joiner killed mid-SST and then a full crash (S14), the markers a kill -9
 * mid-SST leaves and the liveness bound on them (S15), an IST cut by killing its donor (S24), and an IST whose
 * connection is reset while its donor stays up (S25).
 *
 * <p>A transfer here takes about a second, too short to hit reliably: while it runs, the bridge port towards the
 * joiner is shaped with {@code tc tbf} (in the bridge's namespace, so nothing inside the pod changes), which makes
 * the same transfer last long enough to cut it off at a known moment.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentTransferIT {
    /** The probe's bound on state-transfer markers with nothing changing, shortened from the default five minutes. */
    private static final Duration STALE_TRANSFER = Duration.ofSeconds(20);
    private static final int JOINER = 2;
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        assumeTrue(Exec.run("sh", "-c", "command -v tc").ok(), "tc (iproute2) shapes the joiner's link");
        c = Cluster.create("transfer", 3, new AgentSteps().sidecarEnv("AGENT_STALE_TRANSFER_AFTER", STALE_TRANSFER.toSeconds() + "s"));
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now());
        c.createAppSchema();
    }

    /** A scenario that failed must not leave the next one a broken cluster. */
    @BeforeEach
    void healthyCluster() throws Exception {
        for (int i : c.ordinals()) {
            unshape(i);
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
    void s14AJoinerCutOffMidSstIsNeverChosenAfterAFullCrashAndNoRowIsLost() throws Exception {
        List<Integer> writers = List.of(0, 1);
        Writer w = Writer.start(c, writers, Scenarios.WRITE_PAUSE);
        Duration sstRan;
        long bootstrapLogBefore;
        try (w) {
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            sstRan = startSstAndKillItMidway(w);
            bootstrapLogBefore = AgentSteps.bootstrapLog(c.pod(JOINER)).length();
            c.kill9All();
            w.stop();
        }
        unshape(JOINER);
        assertThat(markers(c.pod(JOINER))).as("the cut-off transfer left its markers").isNotEmpty();

        Instant t0 = Instant.now();
        c.startAll();
        Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
        Checker.Check check = Scenarios.assertNoLoss(c, w);

        PublishedState cutOff = AgentSteps.published(c, JOINER);
        assertThat(cutOff).as("galera-%d published its state", JOINER).isNotNull();
        assertThat(cutOff.cutOff()).as("galera-%d said its transfer was cut off: %s", JOINER, cutOff).isTrue();
        String joinerRuns = AgentSteps.bootstrapLog(c.pod(JOINER)).substring((int) bootstrapLogBefore);
        c.event("galera-" + JOINER + "'s decisions after the crash: "
                + joinerRuns.lines().filter(l -> l.contains("decided") || l.contains("cut")).toList());
        assertThat(joinerRuns).as("galera-%d's bootstrap log after the crash", JOINER).doesNotContain("BOOTSTRAP_FROM_HERE").doesNotContain("NEW_CLUSTER");
        assertThat(Scenarios.decision(c, JOINER)).isEqualTo("JOIN");
        int winner = Scenarios.bootstrapper(c);
        assertThat(winner).as("the pod chosen for most data").isNotEqualTo(JOINER);
        long best = writers.stream().mapToLong(i -> Scenarios.publishedSeqno(c, i)).max().orElseThrow();
        assertThat(Scenarios.publishedSeqno(c, winner)).as("the winner holds the highest seqno of the pods with whole data").isEqualTo(best);
        assertThat(lastStart(c.pod(JOINER).errorLog())).as("galera-%d got a full transfer again", JOINER).contains("SST received");
        Scenarios.record("S14 joiner killed mid-SST, then a full crash", c, t, check,
                "galera-" + JOINER + " killed " + Pod.seconds(sstRan) + " s into its SST (link shaped), markers left, published cut_off; "
                        + "galera-" + winner + " bootstrapped; galera-" + JOINER + " full SST again");
    }

    @Test
    @Order(2)
    void s15AKill9MidSstLeavesMarkersThatLivenessGivesUpOnWithinItsBoundAndThePodRecovers() throws Exception {
        Pod joiner = c.pod(JOINER);
        Writer w = Writer.start(c, List.of(0, 1), Scenarios.WRITE_PAUSE);
        Duration sstRan;
        Duration to503;
        Duration toRestart;
        String reason;
        Instant killed;
        try (w) {
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            int restartsBefore = joiner.livenessRestarts();
            // only the joiner's mariadbd and its SST processes die; the container stays down, as one whose exit the
            // kubelet missed: from here only the liveness probe brings it back
            sstRan = startSstAndKillItMidway(w);
            killed = Instant.now();
            unshape(JOINER);
            assertThat(markers(joiner)).as("the kill left the transfer's markers").isNotEmpty();
            assertThat(transferProcesses(JOINER)).as("no SST process survives the kill").isEmpty();
            String first = http(JOINER, "/live");
            assertThat(first).as("right after the kill the markers still count as a transfer").startsWith("200");
            while (true) {
                String live = http(JOINER, "/live");
                if (live.startsWith("503")) {
                    to503 = Duration.between(killed, Instant.now());
                    reason = live.substring(4).strip();
                    break;
                }
                assertThat(Duration.between(killed, Instant.now())).as("/live turns 503 within the bound plus two looks at the data directory")
                        .isLessThan(STALE_TRANSFER.plusSeconds(15));
                PodNetwork.sleep(500);
            }
            c.event("galera-" + JOINER + " /live 503 after " + Pod.seconds(to503) + " s: " + reason);
            assertThat(reason).contains("the transfer is dead");
            long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (joiner.livenessRestarts() == restartsBefore) {
                assertThat(System.nanoTime()).as("the kubelet restarts the container on failed liveness").isLessThan(end);
                PodNetwork.sleep(200);
            }
            toRestart = Duration.between(killed, Instant.now());
            c.waitAllSynced(Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
        }
        Scenarios.Timing t = new Scenarios.Timing(null, Duration.between(killed, Instant.now()));
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        assertThat(markers(joiner)).as("a finished transfer leaves no markers").isEmpty();
        assertThat(lastStart(joiner.errorLog())).contains("SST received");
        Scenarios.record("S15 kill -9 mid-SST leaves markers, liveness restart", c, t, check,
                "killed " + Pod.seconds(sstRan) + " s into the SST; /live 503 " + Pod.seconds(to503) + " s after the kill (bound: --stale-transfer-after "
                        + STALE_TRANSFER.toSeconds() + "s + up to 2 looks 5 s apart; default 5m); kubelet restart at "
                        + Pod.seconds(toRestart) + " s; times from the kill");
    }

    @Test
    @Order(3)
    void s24AnIstCutOffByItsDonorsDeathEndsInARestartAndTheJoinerRejoins() throws Exception {
        String history = c.status(0).stateUuid();
        Writer w = Writer.start(c, List.of(0, 1), Scenarios.WRITE_PAUSE);
        CutIst cut;
        try (w) {
            cut = cutAnIst(w, "the IST still runs when its donor is killed", donor -> {
                c.event("kill -9 of the IST donor galera-" + donor);
                c.kill9(donor);
            });
            c.containerRestart(cut.donor());
            c.waitAllSynced(Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
        }
        finish("S24 IST cut by killing its donor", history, w, cut, "donor galera-" + cut.donor() + " killed mid-IST (link shaped); ");
    }

    /**
     * S25: the IST's connection is reset while its donor stays up (the joiner's receiving socket is destroyed with
     * {@code ss -K} in the joiner's namespace). Galera on the joiner says "Receiving IST failed, node restart required",
     * leaves the group, and mariadbd stays up: with {@code wsrep_connected=OFF}, or still saying "Joining: receiving State
     * Transfer" in a stale non-Primary view with {@code wsrep_connected=ON} (CI's five-pod full crash hung on that for 240 s).
     * Liveness must fail within its bound, the kubelet restart it, and the joiner rejoin without losing a row.
     */
    @Test
    @Order(4)
    void s25AnIstWhoseConnectionIsResetLeavesTheJoinerDisconnectedAndLivenessRestartsIt() throws Exception {
        assumeTrue(Exec.run("sh", "-c", "command -v ss").ok(), "ss (iproute2) resets the IST's connection");
        String history = c.status(0).stateUuid();
        Writer w = Writer.start(c, List.of(0, 1), Scenarios.WRITE_PAUSE);
        CutIst cut;
        try (w) {
            cut = cutAnIst(w, "the IST still runs when its connection is reset", donor -> {
                c.event("resetting the IST connection on galera-" + JOINER + " (donor galera-" + donor + " stays up)");
                Exec.ok("ip", "netns", "exec", PodNetwork.netns(JOINER), "ss", "-K", "sport", "=", ":4568");
            });
            WsrepStatus donorNow = c.pod(cut.donor()).status();
            assertThat(donorNow != null && donorNow.primary()).as("the donor galera-%d stays in the Primary component: %s", cut.donor(), donorNow)
                    .isTrue();
            c.waitAllSynced(Scenarios.FORM);
            Scenarios.writeFor(w, Duration.ofSeconds(2));
            w.stop();
        }
        finish("S25 IST connection reset, donor alive", history, w, cut, "");
    }

    /** An IST cut off, and how the joiner came back: by liveness (having been seen out of the group) or by exiting. */
    private record CutIst(int donor, Instant at, Duration toRestart, boolean byLiveness, String outOfGroup, List<String> said) {
        String what() {
            return byLiveness
                    ? "mariadbd stayed up out of the group (" + outOfGroup + "); liveness failed and the kubelet restarted it "
                            + Pod.seconds(toRestart) + " s after the cut (bound: 60 s out of the group + 6 failed probes 2 s apart)"
                    : "mariadbd exited by itself " + Pod.seconds(toRestart) + " s after the cut and the container restarted"
                            + (outOfGroup == null ? "" : " (out of the group first)");
        }
    }

    @FunctionalInterface
    private interface Cutter {
        void cut(int donor) throws IOException;
    }

    /**
     * The joiner is killed while the others take writes (the survivors evict it after about 5 s and go on: the
     * write-sets it misses are the IST), restarted with its link shaped, and once a donor serves its IST, {@code cutter}
     * cuts the transfer. Waits until the joiner's mariadbd is restarted, by liveness or by exiting, and checks what
     * Galera said and that a liveness restart came within its bound and only for a node out of the group.
     */
    private static CutIst cutAnIst(Writer w, String stillRunning, Cutter cutter) throws Exception {
        Pod joiner = c.pod(JOINER);
        Scenarios.writeFor(w, Duration.ofSeconds(2));
        c.kill9(JOINER);
        Scenarios.writeFor(w, Duration.ofSeconds(12));
        Map<Integer, Long> offsets = new HashMap<>();
        for (int i : c.ordinals()) {
            offsets.put(i, Files.size(c.pod(i).errorLog()));
        }
        int livenessBefore = joiner.livenessRestarts();
        int exitsBefore = joiner.mariadbRestarts();
        shape(JOINER, "256kbit");
        c.containerRestart(JOINER);
        int donor = -1;
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (donor < 0) {
            assertThat(System.nanoTime()).as("an IST to galera-%d starts", JOINER).isLessThan(end);
            for (int i : List.of(0, 1)) {
                if (since(c.pod(i).errorLog(), offsets.get(i)).contains("IST sender starting to serve tcp://" + joiner.ip())) {
                    donor = i;
                }
            }
            PodNetwork.sleep(100);
        }
        PodNetwork.sleep(700);
        assertThat(since(c.pod(donor).errorLog(), offsets.get(donor))).as(stillRunning).doesNotContain("async IST sender served");
        cutter.cut(donor);
        Instant cut = Instant.now();
        unshape(JOINER);
        String outOfGroup = null;
        String live = "";
        end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (joiner.livenessRestarts() == livenessBefore && joiner.mariadbRestarts() == exitsBefore) {
            assertThat(System.nanoTime()).as("galera-%d's mariadbd is restarted after the cut IST; /live said: %s", JOINER, live)
                    .isLessThan(end);
            String answer = joiner.sidecarAnswer("/live");
            if (!answer.replaceAll("[0-9]+", "#").equals(live.replaceAll("[0-9]+", "#"))) {
                live = answer;
                c.event("galera-" + JOINER + " /live: " + live);
            }
            WsrepStatus s = joiner.status();
            if (outOfGroup == null && outOfTheGroup(s)) {
                outOfGroup = s.toString();
                c.event("galera-" + JOINER + " is out of the group: " + s);
            }
            PodNetwork.sleep(250);
        }
        Duration toRestart = Duration.between(cut, Instant.now());
        List<String> said = since(joiner.errorLog(), offsets.get(JOINER)).lines()
                .filter(l -> l.contains("IST didn't contain") || l.contains("restart required") || l.contains("Will never receive state")
                        || l.contains("State transfer cannot be completed") || l.contains("Aborting"))
                .map(String::strip).toList();
        c.event("galera-" + JOINER + " after the cut: " + said);
        assertThat(said).as("Galera on galera-%d says the IST failed", JOINER).isNotEmpty();
        boolean byLiveness = joiner.livenessRestarts() > livenessBefore;
        if (byLiveness) {
            assertThat(outOfGroup).as("liveness failed on a node out of the group").isNotNull();
            assertThat(toRestart).isLessThan(Duration.ofSeconds(60 + 12 + 15));
        }
        return new CutIst(donor, cut, toRestart, byLiveness, outOfGroup, said);
    }

    private static void finish(String scenario, String history, Writer w, CutIst cut, String prefix) throws Exception {
        Scenarios.Timing t = new Scenarios.Timing(null, Duration.between(cut.at(), Instant.now()));
        Checker.Check check = Scenarios.assertNoLoss(c, w);
        for (int i : c.ordinals()) {
            assertThat(c.status(i).stateUuid()).as("galera-%d's cluster uuid", i).isEqualTo(history);
        }
        Scenarios.record(scenario, c, t, check, prefix + cut.what() + "; times from the cut");
    }

    /**
     * Gives the joiner a new, empty volume and starts it, with its link shaped so that the SST lasts; once the
     * transfer writes into the data directory, kill -9 of the joiner's mariadbd and every process under it (the SST
     * script, its rsync daemon). Returns how long the SST had run.
     */
    private static Duration startSstAndKillItMidway(Writer w) throws IOException {
        Pod joiner = c.pod(JOINER);
        c.crashPod(JOINER);
        Scenarios.wipe(joiner.dataDir());
        shape(JOINER, "24mbit");
        c.startPod(JOINER);
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!Files.exists(joiner.dataDir().resolve("sst_in_progress"))) {
            assertThat(System.nanoTime()).as("galera-%d's SST starts", JOINER).isLessThan(end);
            PodNetwork.sleep(50);
        }
        Instant started = Instant.now();
        c.event("galera-" + JOINER + ": sst_in_progress in its data directory");
        Scenarios.writeFor(w, Duration.ofSeconds(4));
        assertThat(markers(joiner)).as("the SST still runs when it is killed").isNotEmpty();
        WsrepStatus s = joiner.status();
        assertThat(s == null || !s.synced()).as("galera-%d still joining: %s", JOINER, s).isTrue();
        c.kill9(JOINER);
        return Duration.between(started, Instant.now());
    }

    /** The SST markers in the pod's data directory. */
    private static List<String> markers(Pod pod) {
        return List.of("sst_in_progress", "wsrep_sst.pid").stream().filter(m -> Files.exists(pod.dataDir().resolve(m))).toList();
    }

    /** The command lines of SST processes (script, rsync) still running in the pod's network namespace. */
    private static List<String> transferProcesses(int i) throws IOException {
        List<String> found = new ArrayList<>();
        for (String pid : Exec.ok("ip", "netns", "pids", PodNetwork.netns(i)).split("\\s+")) {
            if (pid.isBlank()) {
                continue;
            }
            try {
                String cmd = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
                if (cmd.contains("wsrep_sst") || cmd.contains("rsync")) {
                    found.add(pid + " " + cmd);
                }
            } catch (IOException gone) {
                // ended meanwhile
            }
        }
        return found;
    }

    /** {@code CODE body} of an HTTP GET to the pod's sidecar, from the bridge's namespace (as the kubelet would). */
    private static String http(int i, String path) throws IOException {
        Exec.Result r = Exec.run(Duration.ofSeconds(5), List.of("ip", "netns", "exec", PodNetwork.BRIDGE_NS, "curl", "-s", "--max-time", "3",
                "-w", "\n%{http_code}", "http://" + PodNetwork.ip(i) + ":" + AgentSteps.STATUS_PORT + path));
        String out = r.output().strip();
        int nl = out.lastIndexOf('\n');
        return nl < 0 ? out : out.substring(nl + 1) + " " + out.substring(0, nl);
    }

    /** Shapes the traffic the bridge sends to pod i (everything it receives) to {@code rate}. */
    private static void shape(int i, String rate) throws IOException {
        c.event("link to galera-" + i + " shaped to " + rate);
        Exec.ok("ip", "netns", "exec", PodNetwork.BRIDGE_NS, "tc", "qdisc", "replace", "dev", "gae-veth" + i, "root", "tbf", "rate", rate,
                "burst", "32kb", "latency", "400ms");
    }

    private static void unshape(int i) throws IOException {
        if (Exec.run("ip", "netns", "exec", PodNetwork.BRIDGE_NS, "tc", "qdisc", "del", "dev", "gae-veth" + i, "root").ok()) {
            c.event("link to galera-" + i + " no longer shaped");
        }
    }

    /** The two shapes a failed IST leaves: disconnected, or still "Joining" in a stale non-Primary view. */
    private static boolean outOfTheGroup(WsrepStatus s) {
        return s != null && (!s.connected() || s.state() != null && s.state().startsWith("Joining") && !s.primary());
    }

    private static String since(Path log, long offset) throws IOException {
        String s = Files.readString(log, StandardCharsets.ISO_8859_1);
        return offset >= s.length() ? "" : s.substring((int) offset);
    }

    private static String lastStart(Path errorLog) throws IOException {
        String log = Files.readString(errorLog, StandardCharsets.ISO_8859_1);
        int i = log.lastIndexOf("Starting MariaDB");
        return i < 0 ? log : log.substring(i);
    }
}
