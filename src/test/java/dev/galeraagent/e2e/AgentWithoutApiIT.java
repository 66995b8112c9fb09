package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** S13: the Kubernetes API is down while a new cluster starts: it forms by the DNS-only rules, with warnings. */
class AgentWithoutApiIT {
    private static Cluster c;

    @BeforeAll
    static void create() throws Exception {
        E2e.assumeAvailable();
        assumeTrue(AgentSteps.built(), "the agent package is built by ./mvnw package (target/agent)");
        c = Cluster.create("noapi", 3, new AgentSteps());
    }

    @AfterAll
    static void close() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    void s13FreshStartWithTheApiDownFormsTheClusterByDnsWithWarnings() throws Exception {
        c.stopKubeApi();
        // without the API the StatefulSet's replicas come from the manifest's environment
        AgentSteps steps = (AgentSteps) c.steps();
        for (int i : c.ordinals()) {
            steps.setEnv(i, "AGENT_REPLICAS", Integer.toString(c.replicas()));
        }
        Instant t0 = Instant.now();
        c.startAll();
        Scenarios.Timing t = Scenarios.awaitFormed(c, t0);
        Scenarios.assertOneComponent(c);
        assertThat(Scenarios.lastPlanInLog(c.pod(0))).isEqualTo("NEW_CLUSTER");
        assertThat(Scenarios.lastPlanInLog(c.pod(1))).isEqualTo("JOIN");
        assertThat(Scenarios.lastPlanInLog(c.pod(2))).isEqualTo("JOIN");
        for (int i : c.ordinals()) {
            assertThat(AgentSteps.bootstrapLog(c.pod(i))).as("galera-%d says loudly that the API is unreachable", i)
                    .contains("Kubernetes API").contains("unreachable");
        }
        Results.record(new Results.Row("S13 fresh start, API down", c.steps().name(), t.toPrimary(), t.toAllSynced(),
                "galera-0 " + Scenarios.lastPlanInLog(c.pod(0)) + ", galera-1 " + Scenarios.lastPlanInLog(c.pod(1)) + ", galera-2 "
                        + Scenarios.lastPlanInLog(c.pod(2)), 0, 0, "from the bootstrap logs"));
    }
}
