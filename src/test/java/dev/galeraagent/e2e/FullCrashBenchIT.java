package dev.galeraagent.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S5 (kill -9 of every pod under writes) again and again on one cluster, for before/after figures with medians (issue 11):
 * {@code -Dbench.runs=N} (it runs only when given: a benchmark, not part of the suite), {@code -Dbench.label=...} names the
 * build measured. Each run is checked as S5 is
 * (no acknowledged row lost) and its timeline is written; the runs and their medians go to {@code target/e2e-bench.md}.
 */
class FullCrashBenchIT {
    static final Path FILE = Path.of("target", "e2e-bench.md");
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        assumeTrue(System.getProperty("bench.runs") != null, "a benchmark: run it with -Dbench.runs=N");
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("fullcrashbench", 3, new AgentSteps());
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now());
        c.createAppSchema();
    }

    @AfterAll
    static void close() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    void everyFullCrashUnderWritesRecoversWithNoAcknowledgedRowLost() throws Exception {
        int runs = Integer.getInteger("bench.runs", 3);
        String label = System.getProperty("bench.label", "unlabelled");
        List<Duration> primary = new ArrayList<>();
        List<Duration> synced = new ArrayList<>();
        List<Duration> lastDecided = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (int run = 1; run <= runs; run++) {
            c.restoreAll(Scenarios.FORM);
            try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
                Scenarios.writeFor(w, Duration.ofSeconds(4));
                c.kill9All();
                w.stop();
                Instant t0 = Instant.now();
                c.startAll();
                Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
                Checker.Check check = Scenarios.assertNoLoss(c, w);
                List<Timeline> timeline = Timeline.record("bench " + label + " run " + run, c, t0);
                // the last pod's config written: when the election was over for everyone
                Duration decided = timeline.stream().map(x -> x.since(Timeline.Milestone.CONFIG_WRITTEN))
                        .filter(d -> d != null).max(Comparator.naturalOrder()).orElse(null);
                primary.add(t.toPrimary());
                synced.add(t.toAllSynced());
                lastDecided.add(decided);
                out.append("| ").append(label).append(" | ").append(run).append(" | ").append(Results.secs(t.toPrimary()))
                        .append(" | ").append(Results.secs(t.toAllSynced())).append(" | ").append(Results.secs(decided))
                        .append(" | ").append(check.acked()).append(" | ").append(check.lostTotal()).append(" |\n");
            }
        }
        out.append("| ").append(label).append(" | median of ").append(runs).append(" | ").append(Results.secs(median(primary)))
                .append(" | ").append(Results.secs(median(synced))).append(" | ").append(Results.secs(median(lastDecided))).append(" | | |\n");
        Files.createDirectories(FILE.getParent());
        if (!Files.exists(FILE)) {
            Files.writeString(FILE, "| build | run | first Primary | all Synced | last pod decided | rows written | rows lost |\n|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(FILE, out.toString(), StandardOpenOption.APPEND);
        c.event("bench " + label + ":\n" + out);
    }

    static Duration median(List<Duration> ds) {
        List<Duration> s = ds.stream().filter(d -> d != null).sorted().toList();
        if (s.isEmpty()) {
            return null;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : s.get(n / 2 - 1).plus(s.get(n / 2)).dividedBy(2);
    }
}
