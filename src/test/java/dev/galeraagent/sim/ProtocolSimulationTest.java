package dev.galeraagent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The recovery protocol under generated schedules of crashes, restarts, API faults and overrides (docs/recovery-protocol.md):
 * every invariant is checked at every event of every run. {@code -Dsim.runs=N} runs more (the default fits CI's budget);
 * {@code -Dsim.seed=S} replays one seed with its timeline.
 */
class ProtocolSimulationTest {
    private static final long FIRST_SEED = Long.getLong("sim.firstSeed", 1);
    private static final int RUNS = Integer.getInteger("sim.runs", 5000);
    private static final int THREADS = Integer.getInteger("sim.threads", Runtime.getRuntime().availableProcessors());
    private static final Duration END = Duration.ofMinutes(20);
    /** Whether a container restart starts mariadbd with its recovered position (rule 11). */
    private static final boolean RESTART_KEEPS_POSITION = Boolean.parseBoolean(System.getProperty("sim.rule11", "true"));

    /** Every seed that ever failed, run on every build whatever the range: each found a hole that is now closed. */
    private static final long[] REGRESSION_SEEDS = {222, 565, 1270, 2136, 2471, 2624, 2692, 3665, 3766, 4972};

    private static Path root;

    @BeforeAll
    static void quietLog() throws IOException {
        Path shm = Path.of("/dev/shm");
        root = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), "galera-sim");
        Log.setOutput(new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Log.setOutput(System.err);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static World run(long seed, boolean restartKeepsPosition) throws IOException {
        return run(keptFaults(Schedule.generate(seed, restartKeepsPosition)));
    }

    static World run(Schedule s) throws IOException {
        World w = new World(s, Files.createTempDirectory(root, "seed-" + s.seed()));
        w.run(END);
        return w;
    }

    /** What is wrong with a run, or null: its first violation, or L1 when every pod came back and it did not settle. */
    static String failure(World w) {
        if (!w.violations.isEmpty()) {
            return w.violations.get(0);
        }
        if (w.schedule.everyPodReturns() && !w.unsettled().isEmpty()) {
            return "L1: not settled after " + END.toMinutes() + " min: " + w.unsettled();
        }
        return null;
    }

    /** The invariant a failure breaks ("S1", "S2", "rule 11", "L1"...): shrinking keeps it, so it does not wander to another. */
    static String kind(String failure) {
        int colon = failure.indexOf(':');
        return colon < 0 ? failure : failure.substring(0, colon);
    }

    /**
     * The smallest set of the schedule's faults that still breaks the same invariant: faults are dropped one at a time for
     * as long as one can go (a 1-minimal schedule: without any one of its remaining faults, the run holds or fails
     * differently). The settings, the outage and the seed stay; the returned indices are into the original faults.
     */
    static List<Integer> shrink(Schedule original, String failure) throws IOException {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < original.faults().size(); i++) {
            kept.add(i);
        }
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            for (int k = 0; k < kept.size(); k++) {
                List<Integer> candidate = new ArrayList<>(kept);
                candidate.remove(k);
                String f = failure(run(original.keeping(candidate)));
                if (f != null && kind(f).equals(kind(failure))) {
                    kept = candidate;
                    smaller = true;
                    break;
                }
            }
        }
        return kept;
    }

    /** {@code -Dsim.keep=0,2} with {@code -Dsim.seed}: replays a shrunk schedule, with only those faults. */
    private static Schedule keptFaults(Schedule s) {
        String keep = System.getProperty("sim.keep");
        if (keep == null || !Long.valueOf(s.seed()).equals(Long.getLong("sim.seed"))) {
            return s;
        }
        return s.keeping(keep.isBlank() ? List.of() : java.util.Arrays.stream(keep.split(",")).map(String::trim).map(Integer::valueOf).toList());
    }

    /** The failing run shrunk, as a readable timeline with the command that replays it. */
    static String shrunk(World failed, String failure) throws IOException {
        Schedule original = Schedule.generate(failed.schedule.seed(), failed.schedule.restartKeepsPosition());
        List<Integer> kept = shrink(original, failure);
        World small = run(original.keeping(kept));
        return "shrunk from " + original.faults().size() + " faults to " + kept.size() + " " + kept + "; replay with -Dsim.seed="
                + original.seed() + " -Dsim.keep=" + kept.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))
                + (original.restartKeepsPosition() ? "" : " -Dsim.rule11=false") + "\n" + small.describe();
    }

    @Test
    void everySeedThatEverFailedNowHolds() throws IOException {
        List<String> failures = new ArrayList<>();
        for (long seed : REGRESSION_SEEDS) {
            World w = run(seed, RESTART_KEEPS_POSITION);
            String failure = failure(w);
            if (failure != null) {
                failures.add("seed " + seed + ": " + failure + "\n" + shrunk(w, failure));
            }
        }
        assertThat(failures).isEmpty();
    }

    /** The checker can fail: restarted without their positions (no prepare-start), container-only outages start new histories. */
    @Test
    void withoutTheRestartPositionTheSimulationFindsTheRule11Hole() throws IOException {
        int found = 0;
        for (long seed = 1; seed <= 60; seed++) {
            World w = run(seed, false);
            if (w.violations.stream().anyMatch(v -> v.startsWith("rule 11"))) {
                found++;
            }
        }
        assertThat(found).as("schedules of the first 60 that break rule 11 without prepare-start").isGreaterThan(5);
    }

    /**
     * The shrinker on real failures (the rule-11 hole without prepare-start): the schedule it returns still breaks the same
     * invariant, and dropping any one of its remaining faults makes that failure go.
     */
    @Test
    void aFailingScheduleShrinksToOneWhoseEveryFaultIsNeeded() throws IOException {
        int shrunk = 0;
        boolean reduced = false;
        for (long seed = 1; seed <= 200 && shrunk < 2; seed++) {
            Schedule s = Schedule.generate(seed, false);
            if (s.faults().size() < 2) {
                continue;
            }
            String failure = failure(run(s));
            if (failure == null) {
                continue;
            }
            List<Integer> kept = shrink(s, failure);
            String again = failure(run(s.keeping(kept)));
            assertThat(again).as("seed %d kept %s", seed, kept).isNotNull();
            assertThat(kind(again)).isEqualTo(kind(failure));
            for (int k = 0; k < kept.size(); k++) {
                List<Integer> less = new ArrayList<>(kept);
                less.remove(k);
                String f = failure(run(s.keeping(less)));
                assertThat(f == null || !kind(f).equals(kind(failure))).as("seed %d: fault %d of %s is not needed", seed, kept.get(k), kept).isTrue();
            }
            reduced |= kept.size() < s.faults().size();
            shrunk++;
        }
        assertThat(reduced).as("a fault that plays no part in the failure is dropped").isTrue();
        assertThat(shrunk).as("failing schedules with several faults among the first 200 seeds without prepare-start").isEqualTo(2);
    }

    @Test
    void everyInvariantHoldsInEveryGeneratedSchedule() throws Exception {
        Long only = Long.getLong("sim.seed");
        long first = only != null ? only : FIRST_SEED;
        long last = only != null ? only : FIRST_SEED + RUNS - 1;
        long started = System.nanoTime();
        // runs are independent (each its own World, files and loop threads): one per core
        List<Future<Outcome>> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (long seed = first; seed <= last; seed++) {
                long s = seed;
                runs.add(pool.submit(() -> {
                    World w = run(s, RESTART_KEEPS_POSITION);
                    String failure = failure(w);
                    return new Outcome(s, failure == null ? null : w, failure, failure == null && w.schedule.everyPodReturns());
                }));
            }
            List<String> failures = new ArrayList<>();
            int settled = 0;
            for (Future<Outcome> f : runs) {
                Outcome o = f.get();
                if (o.failure() == null) {
                    settled += o.settled() ? 1 : 0;
                    continue;
                }
                failures.add("seed " + o.seed() + ": " + o.failure());
                if (failures.size() == 1 || only != null) {
                    System.out.println(o.failed().describe());
                    if (System.getProperty("sim.keep") == null) {
                        System.out.println(shrunk(o.failed(), o.failure()));
                    }
                }
            }
            System.out.printf("protocol simulation: %d schedules in %.1f s on %d threads, %d settled with every pod Synced, %d failed%n",
                    runs.size(), (System.nanoTime() - started) / 1e9, THREADS, settled, failures.size());
            assertThat(failures).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /** One run's result; the World is kept only when it failed, for its timeline. */
    private record Outcome(long seed, World failed, String failure, boolean settled) {
    }
}
