package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent side by side with the ways a person recovers without it (issue 11, "Targets"), on one harness in one run:
 * a full crash under writes recovered by the agent (as {@link FullCrashBenchIT}), by the manual script
 * ({@link ManualRecovery}) and by restarting everything at once ({@code pc.recovery}, as {@link BaselinesIT}); and a
 * fresh three-pod start by the agent and by the hand-written start script ({@link PlainSteps}). Runs only with
 * {@code -Dbench.runs=N} (N runs per method); every run, the medians and the per-phase medians go to
 * {@code target/e2e-compare.md}. One cluster exists at a time: the pods' namespaces are shared.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryCompareIT {
    static final Path FILE = Path.of("target", "e2e-compare.md");
    static final String CRASH = "full crash under writes";
    static final String FRESH = "fresh start";
    static final String AGENT = "agent";
    static final String MANUAL = "manual script";
    static final String PC = "pc.recovery";
    static final String PLAIN = "hand-written start script";

    /** One run of one method: times from t0 (null when not reached), the rows and what went wrong. */
    record Run(String scenario, String method, int run, Duration primary, Duration synced, long acked, long lost, String note) {
        String row() {
            return "| " + scenario + " | " + method + " | " + run + " | " + Results.secs(primary) + " | " + Results.secs(synced)
                    + " | " + acked + " | " + lost + " | " + note.replace("|", "/").replace("\n", " ") + " |";
        }
    }

    /** One pod's timeline in one run, with its role: the pod that bootstrapped or one that joined. */
    record PodTime(String scenario, String method, boolean first, Timeline t) {}

    private static final List<Run> RUNS = new ArrayList<>();
    private static final List<PodTime> TIMES = new ArrayList<>();
    private static final List<String> LOAD = new ArrayList<>();
    private static final List<String> FAILURES = new ArrayList<>();
    private static final Map<String, Integer> CREATED = new LinkedHashMap<>();
    private static Cluster c;
    private static int runs;

    @BeforeAll
    static void assumeBench() {
        assumeTrue(System.getProperty("bench.runs") != null, "a benchmark: run it with -Dbench.runs=N");
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        runs = Integer.getInteger("bench.runs", 5);
    }

    @AfterAll
    static void closeLast() {
        closeCluster();
    }

    @Test
    @Order(1)
    void theAgentRecoversEveryFullCrashUnderWritesWithNoAcknowledgedRowLost() throws Exception {
        load("full crash, agent: start");
        newCluster("cmp-agent", new AgentSteps());
        for (int run = 1; run <= runs; run++) {
            try {
                c.restoreAll(Scenarios.FORM);
            } catch (AssertionError e) {
                fail(CRASH, AGENT, run, "the cluster did not come back to all Synced before the run: " + firstLine(e));
                newCluster("cmp-agent", new AgentSteps());
                continue;
            }
            try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
                Crash crash = crashUnderWrites(w);
                String before = crash.stateUuid();
                Instant t0 = crash.t0();
                c.startAll();
                Scenarios.Timing t = null;
                try {
                    t = Scenarios.awaitFormed(c, t0);
                    Checker.Check check = Scenarios.assertNoLoss(c, w);
                    record(new Run(CRASH, AGENT, run, t.toPrimary(), t.toAllSynced(), check.acked(), check.lostTotal(), history(before)));
                } catch (AssertionError e) {
                    Checker.Check check = quietCheck(w);
                    record(new Run(CRASH, AGENT, run, t == null ? null : t.toPrimary(), t == null ? null : t.toAllSynced(),
                            w.acked().size(), check == null ? -1 : check.lostTotal(), "FAILED: " + firstLine(e)));
                    FAILURES.add("agent full crash run " + run + ": " + firstLine(e));
                }
                agentTimeline(CRASH, "compare: agent full crash run " + run, t0);
            }
        }
        load("full crash, agent: end");
        closeCluster();
        write();
        assertThat(FAILURES).as("failed runs").isEmpty();
    }

    @Test
    @Order(2)
    void theManualScriptLosesNoAcknowledgedRowAndPcRecoveryIsRecordedRunForRun() throws Exception {
        load("full crash, manual script and pc.recovery: start");
        newCluster("cmp-plain", new PlainSteps());
        List<String> failures = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            if (!manual(run)) {
                failures.add("manual run " + run);
            }
            pcRecovery(run);
        }
        load("full crash, manual script and pc.recovery: end");
        closeCluster();
        write();
        assertThat(failures).as("manual script runs that lost rows or diverged (see %s)", FILE).isEmpty();
    }

    @Test
    @Order(3)
    void aFreshThreePodStartByTheAgentAndByTheHandWrittenScript() throws Exception {
        load("fresh start: start");
        List<String> failures = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            // interleaved, so the machine's load falls on both alike
            if (!fresh(run, AGENT, new AgentSteps())) {
                failures.add("agent fresh start run " + run);
            }
            if (!fresh(run, PLAIN, new PlainSteps())) {
                failures.add("plain fresh start run " + run);
            }
        }
        load("fresh start: end");
        write();
        assertThat(failures).as("fresh starts that did not form (see %s)", FILE).isEmpty();
    }

    /** One manual recovery; true when no acknowledged row was lost and the checksums agree. */
    private static boolean manual(int run) throws IOException {
        if (!restore(MANUAL, run)) {
            return false;
        }
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Crash crash = crashUnderWrites(w);
            String before = crash.stateUuid();
            Instant t0 = crash.t0();
            ManualRecovery.Outcome o;
            try {
                o = ManualRecovery.run(c, Duration.ofMinutes(5));
            } catch (AssertionError | IOException e) {
                record(new Run(CRASH, MANUAL, run, null, null, w.acked().size(), -1, "FAILED: " + firstLine(e)));
                newCluster("cmp-plain", new PlainSteps());
                return false;
            }
            Checker.Check check = Checker.check(c, w.acked(), c.ordinals());
            c.event("check: " + check);
            long best = o.positions().values().stream().mapToLong(ManualRecovery::seqno).max().orElseThrow();
            String note = history(before) + "; bootstrapped " + PodNetwork.podName(o.bootstrapped())
                    + (ManualRecovery.seqno(o.positions().get(o.bootstrapped())) == best ? " (most advanced)" : " (NOT the most advanced)")
                    + (check.ok() ? "" : "; FAILED: " + check);
            record(new Run(CRASH, MANUAL, run, o.toPrimary(), o.toAllSynced(), check.acked(), check.lostTotal(), note));
            plainTimeline(CRASH, MANUAL, t0, o.bootstrapped());
            if (!check.ok()) {
                newCluster("cmp-plain", new PlainSteps());
            }
            return check.ok();
        }
    }

    /**
     * All pods restarted at once, Galera restoring its last Primary from {@code gvwstate.dat}. Unsafe by design (no
     * start positions, see {@link BaselinesIT}): its outcome is recorded, not asserted; a cluster it left diverged or
     * unformed is replaced, so the next run starts from a sound one.
     */
    private static void pcRecovery(int run) throws IOException {
        if (!restore(PC, run)) {
            return;
        }
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Crash crash = crashUnderWrites(w);
            String before = crash.stateUuid();
            Instant t0 = crash.t0();
            c.startAll();
            Duration primary = null;
            try {
                c.waitPrimary(Duration.ofMinutes(3));
                primary = Duration.between(t0, Instant.now());
                c.waitAllSynced(Duration.ofMinutes(5));
            } catch (AssertionError e) {
                record(new Run(CRASH, PC, run, primary, null, w.acked().size(), -1, "did not form: " + firstLine(e)));
                newCluster("cmp-plain", new PlainSteps());
                return;
            }
            Duration synced = Duration.between(t0, Instant.now());
            Checker.Check check = Checker.check(c, w.acked(), c.ordinals());
            c.event("check: " + check);
            String history = history(before);
            record(new Run(CRASH, PC, run, primary, synced, check.acked(), check.lostTotal(),
                    history + (check.ok() ? "" : "; DIVERGED or lost rows: " + check)));
            plainTimeline(CRASH, PC, t0, -1);
            // without start positions Galera restores the Primary under a new state uuid from seqno 0, and mariadbd
            // --wsrep-recover then finds the zero uuid: the next manual run would start from that broken history (its
            // joiners taking full SSTs), so it gets a new cluster instead
            if ((!check.ok() || !history.equals(KEPT)) && run < runs) {
                newCluster("cmp-plain", new PlainSteps());
            }
        }
    }

    /** Restores the plain cluster to all Synced; a cluster that will not come back is replaced and the run recorded as skipped. */
    private static boolean restore(String method, int run) throws IOException {
        try {
            c.restoreAll(Scenarios.FORM);
            return true;
        } catch (AssertionError e) {
            record(new Run(CRASH, method, run, null, null, 0, 0, "SKIPPED: the cluster did not come back before the run: " + firstLine(e)));
            newCluster("cmp-plain", new PlainSteps());
            return false;
        }
    }

    /** A new cluster of three empty pods started at once; true when it formed. */
    private static boolean fresh(int run, String method, PodSteps steps) throws IOException {
        closeCluster();
        c = Cluster.create(AGENT.equals(method) ? "cmp-fresh-agent" : "cmp-fresh-plain", 3, steps);
        try {
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
            record(new Run(FRESH, method, run, t.toPrimary(), t.toAllSynced(), 0, 0, ""));
            if (AGENT.equals(method)) {
                agentTimeline(FRESH, "compare: agent fresh start run " + run, t0);
            } else {
                plainTimeline(FRESH, PLAIN, t0, 0);
            }
            return true;
        } catch (AssertionError e) {
            record(new Run(FRESH, method, run, null, null, 0, 0, "FAILED: " + firstLine(e)));
            return false;
        } finally {
            closeCluster();
        }
    }

    private static void newCluster(String name, PodSteps steps) throws IOException {
        closeCluster();
        int n = CREATED.merge(name, 1, Integer::sum);
        // a replaced cluster gets a name of its own, so the logs of the one it replaces stay for a look
        c = Cluster.create(n == 1 ? name : name + "-" + n, 3, steps);
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now());
        c.createAppSchema();
    }

    private static void closeCluster() {
        if (c != null) {
            c.close();
            c = null;
        }
    }

    private static void agentTimeline(String scenario, String section, Instant t0) throws IOException {
        for (Timeline t : Timeline.record(section, c, t0)) {
            TIMES.add(new PodTime(scenario, AGENT, "BOOTSTRAP_FROM_HERE".equals(t.decision()) || "NEW_CLUSTER".equals(t.decision()), t));
        }
    }

    private static void plainTimeline(String scenario, String method, Instant t0, int first) throws IOException {
        for (int i : c.ordinals()) {
            TIMES.add(new PodTime(scenario, method, i == first, Timeline.ofMariadb(c.pod(i), t0)));
        }
    }

    /** The cluster's history before the crash, and the moment every pod was down (t0). */
    record Crash(String stateUuid, Instant t0) {}

    /** S5's crash, the same for every method: 4 s of writes on every pod, then kill -9 of every pod. */
    private static Crash crashUnderWrites(Writer w) {
        Scenarios.writeFor(w, Duration.ofSeconds(4));
        String before = stateUuid();
        c.kill9All();
        w.stop();
        return new Crash(before, Instant.now());
    }

    static final String KEPT = "state uuid kept";

    /** The cluster's state uuid (Galera's history) as the first pod that answers reports it. */
    private static String stateUuid() {
        return c.statuses().values().stream().filter(st -> st != null && st.stateUuid() != null).map(WsrepStatus::stateUuid)
                .findFirst().orElse(null);
    }

    /** Whether the recovery kept the cluster's history (same state uuid) or began a new one. */
    private static String history(String before) {
        String after = stateUuid();
        return before != null && before.equals(after) ? KEPT : "NEW state uuid " + after + " (was " + before + ")";
    }

    private static Checker.Check quietCheck(Writer w) {
        try {
            return Checker.check(c, w.acked(), c.ordinals());
        } catch (IOException | RuntimeException | AssertionError e) {
            return null;
        }
    }

    private static void fail(String scenario, String method, int run, String why) throws IOException {
        record(new Run(scenario, method, run, null, null, 0, 0, "SKIPPED: " + why));
        FAILURES.add(method + " run " + run + ": " + why);
    }

    private static void record(Run r) throws IOException {
        RUNS.add(r);
        if (c != null) {
            c.event("compare: " + r.row());
        }
        write();
    }

    private static void load(String when) throws IOException {
        String avg = Files.readString(Path.of("/proc/loadavg")).strip();
        LOAD.add("- " + when + ", " + Instant.now() + ": load average " + avg);
        System.out.println("[e2e compare] " + when + ": load average " + avg);
    }

    /** The whole file again: every run so far, the medians and the phases, so a run cut short still leaves its figures. */
    private static synchronized void write() throws IOException {
        StringBuilder b = new StringBuilder("# The agent side by side with recovery without it\n\n");
        b.append("Written by `RecoveryCompareIT` (-Dbench.runs=").append(runs).append("); seconds from t0: after the kill -9 of every")
                .append(" pod (full crash), or just before the pods' start (fresh start). Rows lost: acknowledged rows missing on any pod.\n\n");
        b.append("Machine load (/proc/loadavg: 1, 5, 15 min, runnable/total, last pid):\n\n").append(String.join("\n", LOAD)).append("\n\n");
        b.append("## Every run\n\n| scenario | method | run | first Primary | all Synced | rows acked | rows lost | note |\n|---|---|---|---|---|---|---|---|\n");
        RUNS.forEach(r -> b.append(r.row()).append('\n'));
        b.append("\n## Medians\n\n| scenario | method | runs | first Primary | all Synced | rows lost (median) | runs with rows lost or diverged | runs with a new state uuid |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        Map<String, List<Run>> by = new LinkedHashMap<>();
        RUNS.forEach(r -> by.computeIfAbsent(r.scenario() + " | " + r.method(), k -> new ArrayList<>()).add(r));
        Map<String, Duration[]> med = new LinkedHashMap<>();
        by.forEach((k, rs) -> {
            Duration p = FullCrashBenchIT.median(rs.stream().map(Run::primary).toList());
            Duration s = FullCrashBenchIT.median(rs.stream().map(Run::synced).toList());
            med.put(k, new Duration[] {p, s});
            long[] lost = rs.stream().filter(r -> r.lost() >= 0 && r.synced() != null).mapToLong(Run::lost).sorted().toArray();
            // the lower median when the count is even: rows are whole
            Long lostMed = lost.length == 0 ? null : lost[(lost.length - 1) / 2];
            long bad = rs.stream().filter(r -> r.lost() != 0 || r.note().contains("DIVERGED") || r.note().startsWith("FAILED")).count();
            b.append("| ").append(k).append(" | ").append(rs.size()).append(" | ").append(Results.secs(p)).append(" | ")
                    .append(Results.secs(s)).append(" | ").append(lostMed == null ? "-" : lostMed).append(" | ")
                    .append(bad).append(" | ").append(rs.stream().filter(r -> r.note().contains("NEW state uuid")).count()).append(" |\n");
        });
        b.append("\n## Ratios of the medians\n\n| scenario | agent / | first Primary | all Synced |\n|---|---|---|---|\n");
        for (String[] pair : new String[][] {{CRASH, MANUAL}, {CRASH, PC}, {FRESH, PLAIN}}) {
            Duration[] a = med.get(pair[0] + " | " + AGENT);
            Duration[] o = med.get(pair[0] + " | " + pair[1]);
            if (a != null && o != null) {
                b.append("| ").append(pair[0]).append(" | ").append(pair[1]).append(" | ").append(ratio(a[0], o[0])).append(" | ")
                        .append(ratio(a[1], o[1])).append(" |\n");
            }
        }
        b.append("\n## Phases, medians over pods and runs\n\n")
                .append("From the pods' logs (`Timeline`; for the agent also target/e2e-timeline.md). mariadbd's error log has whole")
                .append(" seconds. \"first\" is the pod that bootstrapped (agent: BOOTSTRAP_FROM_HERE or NEW_CLUSTER; manual script:")
                .append(" the pod it bootstrapped; hand-written start: pod 0; pc.recovery has none), \"others\" the rest.")
                .append(" Without the agent the mariadb container runs mariadbd at once, so its start stands for mariadbd's exec.\n\n")
                .append("| scenario | method | phase | all pods | first | others | n |\n|---|---|---|---|---|---|---|\n");
        Map<String, Function<Timeline, Duration>> agentPhases = new LinkedHashMap<>();
        agentPhases.put("t0 to pod start", t -> t.since(Timeline.Milestone.POD_START));
        agentPhases.put("install (JVM, copy)", t -> t.between(Timeline.Milestone.POD_START, Timeline.Milestone.BOOTSTRAP_START));
        agentPhases.put("bootstrap JVM + API", t -> t.between(Timeline.Milestone.BOOTSTRAP_START, Timeline.Milestone.AGENT_RUN));
        agentPhases.put("identity + DNS", t -> t.phase("identity", "dns"));
        agentPhases.put("recover (--wsrep-recover)", t -> t.phase("recover"));
        agentPhases.put("election", t -> t.phase("election"));
        agentPhases.put("Lease + publish + config", t -> t.phase("lease", "publish", "config"));
        agentPhases.put("config to mariadb container", t -> t.between(Timeline.Milestone.CONFIG_WRITTEN, Timeline.Milestone.MARIADB_START));
        agentPhases.put("prepare-start", t -> t.between(Timeline.Milestone.MARIADB_START, Timeline.Milestone.MARIADBD_EXEC));
        agentPhases.put("t0 to mariadbd exec", t -> t.since(Timeline.Milestone.MARIADBD_EXEC));
        agentPhases.put("mariadbd exec to Primary", t -> t.between(Timeline.Milestone.MARIADBD_EXEC, Timeline.Milestone.PRIMARY));
        agentPhases.put("Primary to Synced", t -> t.between(Timeline.Milestone.PRIMARY, Timeline.Milestone.SYNCED));
        agentPhases.put("t0 to Synced", t -> t.since(Timeline.Milestone.SYNCED));
        Map<String, Function<Timeline, Duration>> plainPhases = new LinkedHashMap<>();
        plainPhases.put("t0 to mariadb container", t -> t.since(Timeline.Milestone.MARIADB_START));
        plainPhases.put("mariadb container to Primary", t -> t.between(Timeline.Milestone.MARIADB_START, Timeline.Milestone.PRIMARY));
        plainPhases.put("Primary to Synced", t -> t.between(Timeline.Milestone.PRIMARY, Timeline.Milestone.SYNCED));
        plainPhases.put("t0 to Synced", t -> t.since(Timeline.Milestone.SYNCED));
        Map<String, List<PodTime>> times = new LinkedHashMap<>();
        TIMES.forEach(p -> times.computeIfAbsent(p.scenario() + " | " + p.method(), k -> new ArrayList<>()).add(p));
        times.forEach((k, ps) -> {
            var phases = ps.get(0).method().equals(AGENT) ? agentPhases : plainPhases;
            phases.forEach((name, f) -> {
                List<Duration> all = ps.stream().map(p -> f.apply(p.t())).toList();
                List<Duration> first = ps.stream().filter(PodTime::first).map(p -> f.apply(p.t())).toList();
                List<Duration> others = ps.stream().filter(p -> !p.first()).map(p -> f.apply(p.t())).toList();
                b.append("| ").append(k).append(" | ").append(name).append(" | ").append(Results.secs(FullCrashBenchIT.median(all)))
                        .append(" | ").append(Results.secs(FullCrashBenchIT.median(first))).append(" | ")
                        .append(Results.secs(FullCrashBenchIT.median(others))).append(" | ")
                        .append(all.stream().filter(d -> d != null).count()).append(" |\n");
            });
        });
        if (!FAILURES.isEmpty()) {
            b.append("\nFailures: ").append(String.join("; ", FAILURES)).append('\n');
        }
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, b.toString());
    }

    private static String ratio(Duration a, Duration b) {
        return a == null || b == null || b.isZero() ? "-" : String.format(Locale.ROOT, "%.2f", a.toMillis() / (double) b.toMillis());
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
