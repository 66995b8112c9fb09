package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.status.PublishedState;
import java.nio.file.Path;
import java.nio.file.Files;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Steps and checks the scenarios share. */
final class Scenarios {
    static final Duration FORM = Duration.ofMinutes(4);
    static final Duration WRITE_PAUSE = Duration.ofMillis(20);
    private static final Pattern PLAN = Pattern.compile("\\b(NEW_CLUSTER|JOIN|BOOTSTRAP_FROM_HERE|WAIT|REFUSE)\\b");

    private Scenarios() {}

    /** Lets the writer run for {@code d}, then checks it got rows acknowledged. */
    static void writeFor(Writer w, Duration d) {
        long before = w.acked().size();
        PodNetwork.sleep(d.toMillis());
        if (w.acked().size() == before) {
            throw new AssertionError("the writer had no row acknowledged in " + d.toSeconds() + " s");
        }
    }

    /** Time from {@code t0} until some pod is Primary, and until all are Synced. */
    record Timing(Duration toPrimary, Duration toAllSynced) {}

    static Timing awaitFormed(Cluster c, Instant t0) {
        return awaitFormed(c, t0, FORM);
    }

    /**
     * The patience for five pods on the two-core machine: the joiners queue for donors ("No donor candidates
     * temporarily available"), and in that retrying Galera 26.4 sometimes fails an IST ("IST didn't contain all
     * write sets ... node restart required", seen in two of three local runs and in CI). Such a node waits out the
     * probe's bound (60 s of wsrep_connected=OFF, then 6 failed liveness probes) before its restart and next IST.
     */
    static final Duration FORM_FIVE = Duration.ofMinutes(7);

    static Timing awaitFormed(Cluster c, Instant t0, Duration patience) {
        c.waitPrimary(patience);
        Duration p = Duration.between(t0, Instant.now());
        c.waitAllSynced(patience);
        return new Timing(p, Duration.between(t0, Instant.now()));
    }

    /**
     * The cluster is one Primary component of all pods, every acknowledged row is on every pod
     * and the checksums agree; returns the check for the results.
     */
    static Checker.Check assertNoLoss(Cluster c, Writer w) throws IOException {
        assertOneComponent(c);
        Checker.Check check = Checker.check(c, w.acked(), c.ordinals());
        c.event("check: " + check);
        assertThat(check.acked()).as("rows acknowledged during the scenario").isPositive();
        assertThat(check.lostTotal()).as("acknowledged rows lost: %s", check).isZero();
        assertThat(check.checksumsAgree()).as("checksums: %s", check.checksums()).isTrue();
        return check;
    }

    /** Every pod reports the same cluster state uuid and configuration: one component, not two. */
    static void assertOneComponent(Cluster c) {
        Map<Integer, WsrepStatus> s = c.statuses();
        assertThat(s.values()).as("statuses %s", s).allSatisfy(st -> {
            assertThat(st).isNotNull();
            assertThat(st.synced()).isTrue();
            assertThat(st.clusterSize()).isEqualTo(c.replicas());
        });
        assertThat(s.values().stream().map(WsrepStatus::stateUuid).distinct()).as("cluster uuids %s", s).hasSize(1);
        assertThat(s.values().stream().map(WsrepStatus::confId).distinct()).as("configurations %s", s).hasSize(1);
    }

    /**
     * Pod {@code i}'s last bootstrap decision: from the state ConfigMap when the API is there,
     * else the last plan name in its bootstrap container's last run.
     */
    static String decision(Cluster c, int i) throws IOException {
        if (c.kubeApi() != null && c.kubeApi().running()) {
            PublishedState st = AgentSteps.published(c, i);
            if (st != null && st.decision() != null) {
                return st.decision();
            }
        }
        return lastPlanInLog(c.pod(i));
    }

    static String lastPlanInLog(Pod pod) throws IOException {
        String log = AgentSteps.bootstrapLog(pod);
        int run = log.lastIndexOf("=== ");
        Matcher m = PLAN.matcher(run < 0 ? log : log.substring(run));
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    /** Every pod's decision, for the results table: {@code galera-0 NEW_CLUSTER, galera-1 JOIN, ...}. */
    static String decisions(Cluster c) throws IOException {
        List<String> d = new ArrayList<>();
        for (int i : c.ordinals()) {
            d.add(PodNetwork.podName(i) + " " + decision(c, i));
        }
        return String.join(", ", d);
    }

    static void record(String scenario, Cluster c, Timing t, Checker.Check check, String note) throws IOException {
        Results.record(new Results.Row(scenario, c.steps().name(), t == null ? null : t.toPrimary(),
                t == null ? null : t.toAllSynced(), decisions(c), check == null ? 0 : check.acked(),
                check == null ? 0 : check.lostTotal(), note));
    }

    /** The pod whose last decision was to bootstrap. */
    static int bootstrapper(Cluster c) throws IOException {
        for (int i : c.ordinals()) {
            String d = decision(c, i);
            if ("BOOTSTRAP_FROM_HERE".equals(d) || "NEW_CLUSTER".equals(d)) {
                return i;
            }
        }
        throw new AssertionError("no pod decided to bootstrap: " + decisions(c));
    }

    /** The seqno pod {@code i} last published, or -1 when it published nothing. */
    static long publishedSeqno(Cluster c, int i) {
        try {
            dev.galeraagent.status.PublishedState s = AgentSteps.published(c, i);
            return s == null ? -1 : s.seqno();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Empties a pod's volume, as a lost PVC. */
    static void wipe(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                PodNetwork.deleteTree(p);
            }
        }
    }
}
