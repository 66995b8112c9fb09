package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Five pods on one cluster (formed once: a five-pod start is the slowest set-up of the suite): S5, how the full-crash
 * recovery grows with the number of pods (issue 11), then S21, the bootstrapped pod killed before any of the four others
 * joined. Each scenario starts from a cluster with every pod Synced.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentFullCrash5IT {
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("fullcrash5", 5, new AgentSteps());
        Instant t0 = Instant.now();
        c.startAll();
        Scenarios.Timing t = Scenarios.awaitFormed(c, t0, Scenarios.FORM_FIVE);
        c.createAppSchema();
        Scenarios.record("S1 fresh start of five pods", c, t, null, "");
        Timeline.record("S1 fresh start of five pods", c, t0);
    }

    /** A scenario that failed must not leave the next one a broken cluster. */
    @BeforeEach
    void healthyCluster() throws Exception {
        c.restoreAll(Scenarios.FORM_FIVE);
    }

    @AfterAll
    static void close() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    @Order(1)
    void s5AfterKill9OfEveryOneOfFivePodsOneBootstrapsTheOthersJoinAndNoAcknowledgedRowIsLost() throws Exception {
        try (Writer w = Writer.start(c, c.ordinals(), Scenarios.WRITE_PAUSE)) {
            Scenarios.writeFor(w, Duration.ofSeconds(4));
            c.kill9All();
            w.stop();
            Instant t0 = Instant.now();
            c.startAll();
            Scenarios.Timing t = Scenarios.awaitFormed(c, t0, Scenarios.FORM_FIVE);
            Checker.Check check = Scenarios.assertNoLoss(c, w);
            assertThat(c.ordinals().stream().filter(i -> {
                try {
                    return "BOOTSTRAP_FROM_HERE".equals(Scenarios.decision(c, i));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count()).as("bootstrapping pods: %s", Scenarios.decisions(c)).isEqualTo(1);
            Scenarios.record("S5 kill -9 of every pod under writes, five pods", c, t, check, "");
            Timeline.record("S5 kill -9 of every pod under writes, five pods", c, t0);
        }
    }

    @Test
    @Order(2)
    void s21WithFivePodsTheBootstrappedPodKilledBeforeAnyoneJoinedComesBackWithItsHistoryAndTheOthersJoinIt() throws Exception {
        AgentRestartIT.winnerKilledBeforeAnyoneJoined(c, "S21 five pods: winner killed before anyone joined, container restart");
    }
}
