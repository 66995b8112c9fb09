package dev.galeraagent.galera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.testing.LocalMariaDb;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real single-node Galera started with the config the agent renders for an IPv6 pod address (::1). */
class Ipv6GaleraIT {
    @TempDir
    Path tmp;

    @Test
    void aSingleNodeStartsOnIpv6WithTheRenderedConfig() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        Path dir = tmp.resolve("n");
        Path once = Files.createDirectories(dir.resolve("once"));
        GaleraConfig config = new GaleraConfig("v6", "galera-0", "::1", "::1", List.of("::1"), 4567, 4568, 4444,
                LocalMariaDb.GALERA.toString(), "rsync", "16M", 1, Optional.empty(), Optional.empty(), Optional.empty(), once.toString());
        // the test server's own settings (datadir, socket, port) first, then exactly what the agent writes
        try (LocalMariaDb db = LocalMariaDb.create(dir, "::1", 3306, false, config.render())) {
            db.start("--wsrep-new-cluster");
            assertThat(db.status("wsrep_cluster_status")).isEqualTo("Primary");
            assertThat(db.status("wsrep_local_state_comment")).isEqualTo("Synced");
            assertThat(db.sql("SELECT @@wsrep_node_address")).isEqualTo("[::1]");
            assertThat(db.sql("SELECT @@wsrep_provider_options")).contains("gmcast.listen_addr = tcp://[::1]:4567").contains("ist.recv_addr = [::1]:4568");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("::1", 4567), 2000); // Galera's group port listens on ::1
            }
        }
    }
}
