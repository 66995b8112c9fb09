package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
    @TempDir
    Path tmp;

    @Test
    void theOrdinalIsTheNumberAfterTheLastDash() {
        Identity id = Identity.of("my-galera-db-12", "prod", "galera", "cluster.local", Optional.empty());
        assertThat(id.statefulSet()).isEqualTo("my-galera-db");
        assertThat(id.ordinal()).isEqualTo(12);
        assertThat(id.peerName(3)).isEqualTo("my-galera-db-3.galera.prod.svc.cluster.local");
        assertThat(id.peers(2)).containsExactly(new Peer(0, "my-galera-db-0.galera.prod.svc.cluster.local"),
                new Peer(1, "my-galera-db-1.galera.prod.svc.cluster.local"));
    }

    @Test
    void aNameWithoutOrdinalOrWithInjectionIsRefused() {
        for (String bad : new String[] {"galera", "galera-", "galera-x", "-1", "galera-0\nx", "Galera-0", "galera-0 ", ""}) {
            assertThatThrownBy(() -> Identity.of(bad, "default", "galera", "cluster.local", Optional.empty())).as(bad)
                    .hasMessageContaining("has no ordinal");
        }
        assertThatThrownBy(() -> Identity.of("galera-0", "default", "galera\n", "cluster.local", Optional.empty()))
                .hasMessageStartingWith("--service: ");
        assertThatThrownBy(() -> Identity.of("galera-0", "default", "galera", "cluster.local#", Optional.empty()))
                .hasMessageStartingWith("--cluster-domain: ");
    }

    @Test
    void theSidecarClearsAJoinersOneShotFilesAndCompletingWithoutARequestDoesNothing() throws Exception {
        Path once = Files.createDirectories(tmp.resolve(BootstrapSettings.ONE_SHOT_DIR));
        Files.writeString(once.resolve("bootstrap.cnf"), "[galera]\nwsrep_start_position = x:1\n");
        HandOff.complete(tmp);
        assertThat(Files.exists(once.resolve("bootstrap.cnf"))).as("complete() only acts on a request").isTrue();
        HandOff.clearOneShots(tmp);
        assertThat(Files.exists(once.resolve("bootstrap.cnf"))).isFalse();
        HandOff.clearOneShots(tmp.resolve("missing"));
    }
}
