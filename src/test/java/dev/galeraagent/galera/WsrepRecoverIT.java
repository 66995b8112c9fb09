package dev.galeraagent.galera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.testing.LocalMariaDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WsrepRecoverIT {
    @TempDir
    Path tmp;

    @Test
    void recoversTheLastCommittedSeqnoOfACrashedNode() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        try (LocalMariaDb db = LocalMariaDb.create(tmp.resolve("n"), "127.0.10.1", 3306, true, "")) {
            db.start();
            db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
            for (int i = 0; i < 25; i++) {
                db.sql("INSERT INTO app.t VALUES (" + i + ", 'row" + i + "')");
            }
            long committed = Long.parseLong(db.status("wsrep_last_committed"));
            String clusterUuid = db.status("wsrep_cluster_state_uuid");
            db.kill9();

            GrastateFile after = GrastateFile.parse(Files.readString(db.dataDir().resolve("grastate.dat")));
            assertThat(after.seqno()).as("grastate.dat after kill -9").isEqualTo(-1);

            long started = System.nanoTime();
            RecoverLog.Recovered r = new WsrepRecover(LocalMariaDb.MARIADBD.toString(), Duration.ofSeconds(120))
                    .run(db.configFile(), db.dir().resolve("recover.log"));
            System.out.printf("wsrep-recover took %.2f s%n", (System.nanoTime() - started) / 1e9);
            assertThat(r.position().uuid()).isEqualTo(UUID.fromString(clusterUuid));
            assertThat(r.position().seqno()).as("recovered seqno vs wsrep_last_committed before the kill").isEqualTo(committed);
        }
    }

    @Test
    void aMissingBinaryIsAnEnvironmentError() {
        assertThatThrownBy(() -> new WsrepRecover("/nonexistent/mariadbd", Duration.ofSeconds(5)).run(tmp.resolve("my.cnf"), tmp.resolve("r.log")))
                .isInstanceOf(AgentException.class)
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(ExitCode.ENVIRONMENT))
                .hasMessageContaining("cannot run /nonexistent/mariadbd");
    }

    @Test
    void aHangingBinaryIsKilledAtTheTimeout() throws Exception {
        Path fake = tmp.resolve("fake-mariadbd");
        Files.writeString(fake, "#!/bin/sh\necho 'starting' > \"${3#--log-error=}\"\nexec sleep 60\n");
        fake.toFile().setExecutable(true);
        long started = System.nanoTime();
        assertThatThrownBy(() -> new WsrepRecover(fake.toString(), Duration.ofMillis(500)).run(tmp.resolve("my.cnf"), tmp.resolve("r.log")))
                .isInstanceOf(AgentException.class)
                .hasMessageContaining("did not finish within 500ms and was killed")
                .hasMessageContaining("last log lines: starting");
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(10);
    }

    @Test
    void aFailingRunCarriesTheLogTail() throws Exception {
        Path fake = tmp.resolve("fake-mariadbd");
        Files.writeString(fake, "#!/bin/sh\nprintf 'line1\\n[ERROR] InnoDB: corrupt page\\n[ERROR] Aborting\\n' > \"${3#--log-error=}\"\nexit 1\n");
        fake.toFile().setExecutable(true);
        assertThatThrownBy(() -> new WsrepRecover(fake.toString(), Duration.ofSeconds(10)).run(tmp.resolve("my.cnf"), tmp.resolve("r.log")))
                .isInstanceOf(AgentException.class)
                .hasMessage(fake + " --wsrep-recover exited with 1; last log lines: line1 | [ERROR] InnoDB: corrupt page | [ERROR] Aborting");
    }
}
