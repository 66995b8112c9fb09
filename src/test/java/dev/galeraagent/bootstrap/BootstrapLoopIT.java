package dev.galeraagent.bootstrap;

import dev.galeraagent.handoff.HandOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.testing.LocalMariaDb;
import dev.galeraagent.testing.Pods;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop end to end on a real crashed node: real --wsrep-recover, then mysqld started from the files it wrote. */
class BootstrapLoopIT {
    @TempDir
    Path tmp;

    @Test
    void recoversAndBootstrapsACrashedNodeFromTheFilesItWrites() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        String address = "127.0.10.41";
        Path conf = tmp.resolve("n/conf");
        Files.createDirectories(conf.resolve(HandOff.ONE_SHOT_DIR));
        // the first cluster: started by the fixture, written to, killed
        String uuid;
        long committed;
        try (LocalMariaDb first = LocalMariaDb.create(tmp.resolve("n"), address, 3306, true, "")) {
            first.start();
            first.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO app.t VALUES (1),(2),(3)");
            uuid = first.status("wsrep_cluster_state_uuid");
            committed = Long.parseLong(first.status("wsrep_last_committed"));
            first.kill9();
        }
        Path data = tmp.resolve("n/data");
        // make the crash look like one of several nodes: not safe to bootstrap
        GrastateFile crashed = GrastateFile.parse(Files.readString(data.resolve("grastate.dat")));
        Files.writeString(data.resolve("grastate.dat"), crashed.withSafeToBootstrap(false).render());

        BootstrapSettings s = new BootstrapSettings(Pods.identity(0, address), 1, data, conf, "galera.cnf", Optional.empty(), Optional.empty(),
                Optional.empty(), "rule10", "rsync", LocalMariaDb.GALERA.toString(), LocalMariaDb.MARIADBD.toString(), Duration.ofSeconds(120),
                Duration.ofSeconds(30), 0, address, false, 1, Duration.ofMinutes(5), Optional.empty(), Optional.empty());
        PeerDirectory self = () -> Pods.loopback(s.identity(), 1, "127.0.10.", 41);
        Plan plan = new BootstrapLoop(s, self, peers -> List.of(), StateBoard.NONE, new PrintWriter(new StringWriter())).run();

        assertThat(plan).isInstanceOfSatisfying(Plan.BootstrapFromHere.class, b -> {
            assertThat(b.position().uuid().toString()).isEqualTo(uuid);
            assertThat(b.position().seqno()).isEqualTo(committed);
        });
        assertThat(GrastateFile.parse(Files.readString(data.resolve("grastate.dat"))).safeToBootstrap()).isTrue();
        assertThat(Files.getOwner(data.resolve("grastate.dat")).getName()).isEqualTo("mysql");

        // mysqld started from the agent's galera.cnf (the fixture's my.cnf only adds paths and sizes)
        Files.delete(tmp.resolve("n/my.cnf"));
        try (LocalMariaDb node = LocalMariaDb.create(tmp.resolve("n2"), address, 3306, false, "!include " + conf.resolve("galera.cnf"))) {
            try (var old = Files.walk(node.dataDir())) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.move(data, node.dataDir());
            node.start("--datadir=" + node.dataDir());
            assertThat(GaleraTestNode.awaitStatus(node, "wsrep_local_state_comment", "Synced", 30)).isTrue();
            assertThat(node.status("wsrep_cluster_status")).isEqualTo("Primary");
            assertThat(node.status("wsrep_cluster_state_uuid")).isEqualTo(uuid);
            assertThat(node.sql("SELECT COUNT(*) FROM app.t")).isEqualTo("3");
            HandOff.complete(conf);
            assertThat(Files.exists(conf.resolve(HandOff.ONE_SHOT_DIR).resolve("bootstrap.cnf"))).isFalse();
        }
    }
}
