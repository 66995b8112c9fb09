package dev.galeraagent.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The phases and decisions keep the exact strings other agents, e2e tests and people's scripts read. */
class PhaseTest {
    @Test
    void phasesAreWrittenAsBeforeAndReadBack() {
        assertThat(Arrays.stream(Phase.values()).map(Phase::wire))
                .containsExactly("inspecting", "waiting", "refused", "decided", "bootstrap-requested", "bootstrapped");
        for (Phase p : Phase.values()) {
            assertThat(Phase.of(p.wire())).contains(p);
        }
        assertThat(Phase.of("BOOTSTRAPPED")).isEmpty();
        assertThat(Phase.of(null)).isEmpty();
    }

    @Test
    void decisionsAreTheirNamesAndAnUnknownOneIsNoError() {
        assertThat(Arrays.stream(Decision.values()).map(Decision::name))
                .containsExactly("NEW_CLUSTER", "JOIN", "BOOTSTRAP_FROM_HERE", "WAIT", "REFUSE");
        assertThat(Decision.of("JOIN")).contains(Decision.JOIN);
        assertThat(Decision.of("join")).isEmpty();
        assertThat(Decision.of(null)).isEmpty();
    }
}
