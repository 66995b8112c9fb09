package dev.galeraagent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMariaDbIT {
    @TempDir
    Path tmp;

    @Test
    void singleNodeGaleraBecomesPrimaryAndSynced() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        try (LocalMariaDb db = LocalMariaDb.create(tmp.resolve("g"), "127.0.0.91", 3306, true, "")) {
            db.start();
            for (int i = 0; i < 100 && !"Synced".equals(db.status("wsrep_local_state_comment")); i++) {
                Thread.sleep(100);
            }
            assertThat(db.status("wsrep_cluster_status")).isEqualTo("Primary");
            assertThat(db.status("wsrep_local_state_comment")).isEqualTo("Synced");
            db.stop();
            assertThat(db.alive()).isFalse();
        }
    }
}
