package dev.galeraagent.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** S21 with five pods: the bootstrapped pod killed before any of the four others joined, then only its container restarted. */
class AgentRestart5IT {
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("restart5", 5, new AgentSteps());
        c.startAll();
        Scenarios.awaitFormed(c, Instant.now(), Scenarios.FORM_FIVE);
        c.createAppSchema();
    }

    @AfterAll
    static void close() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    void s21WithFivePodsTheBootstrappedPodKilledBeforeAnyoneJoinedComesBackWithItsHistoryAndTheOthersJoinIt() throws Exception {
        AgentRestartIT.winnerKilledBeforeAnyoneJoined(c, "S21 five pods: winner killed before anyone joined, container restart");
    }
}
