package dev.galeraagent.galera;

import dev.galeraagent.position.Position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.testing.LocalMariaDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real mariadbd recovers from the private directory: as root it switches to the data's owner, who must be able to write its log there. */
class RecoverRunnerIT {
    @TempDir
    Path tmp;

    @Test
    void aCrashedNodesPositionIsRecoveredFromAPrivateDirectoryThatIsGoneAfterwards() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        try (LocalMariaDb db = LocalMariaDb.create(tmp.resolve("n"), "127.0.70.10", 3306, true, "")) {
            db.start();
            db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB");
            for (int i = 0; i < 10; i++) {
                db.sql("INSERT INTO app.t VALUES (" + i + ")");
            }
            long committed = Long.parseLong(db.status("wsrep_last_committed"));
            String clusterUuid = db.status("wsrep_cluster_state_uuid");
            db.kill9();

            // the agent's own settings, with the test server's file included as a user's extra config would be
            GaleraConfig config = new GaleraConfig("test", "galera-0", "127.0.70.10", "127.0.70.10", List.of("127.0.70.10"), 4567, 4568, 4444,
                    LocalMariaDb.GALERA.toString(), "rsync", "16M", 1, Optional.of(db.configFile().toString()), Optional.empty(), Optional.empty(),
                    db.dir().resolve("once").toString());
            Path parent = Path.of(System.getProperty("java.io.tmpdir"));
            List<Path> before = recoverDirs(parent);
            Position p = new RecoverRunner(LocalMariaDb.MARIADBD.toString(), Duration.ofSeconds(120)).recover(config, db.dataDir());
            assertThat(p).isEqualTo(new Position(UUID.fromString(clusterUuid), committed));
            assertThat(recoverDirs(parent)).isEqualTo(before);
        }
    }

    private static List<Path> recoverDirs(Path parent) throws Exception {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith("galera-recover-")).sorted().toList();
        }
    }
}
