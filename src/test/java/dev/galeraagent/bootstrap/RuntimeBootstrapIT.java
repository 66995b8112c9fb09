package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.galera.RecoverLog;
import dev.galeraagent.galera.WsrepRecover;
import dev.galeraagent.testing.LocalMariaDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof for rule 10 (a bootstrap happens once), against real mariadbd + Galera 4.
 *
 * <p>Finding: the first design (no bootstrap setting ever, bootstrap at run time with
 * {@code SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'}) cannot work: a node that finds no
 * Primary component blocks before it opens its SQL socket, waiting for a state transfer (with every SST
 * method but mysqldump, storage engines start only after the transfer), so nobody can send it that
 * statement. The design used instead: galera.cnf never carries a bootstrap setting; the bootstrap
 * ({@code wsrep_new_cluster}) and the recovered position live in a one-shot file that galera.cnf
 * includes and that is deleted once the node is Primary. A container restart then reads galera.cnf
 * alone and joins the existing Primary.
 */
class RuntimeBootstrapIT {
    private static final String A = "127.0.10.11";
    private static final String B = "127.0.10.12";
    private static final String UNREACHABLE = "127.0.10.13";

    @TempDir
    Path tmp;

    @BeforeEach
    void needsGalera() {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
    }

    @Test
    void aNodeWithoutPrimaryNeverAnswersSqlSoRuntimeBootstrapIsImpossibleAndExitsSoItsContainerRestarts() throws Exception {
        try (GaleraTestNode n = GaleraTestNode.create(tmp.resolve("a"), "node-a", A, List.of("127.0.10.14", UNREACHABLE, A))) {
            Process p = new ProcessBuilder(LocalMariaDb.MARIADBD.toString(), "--defaults-file=" + n.db.configFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Path log = n.db.errorLog();
                // give it ample time to open its socket, as it would if storage engines started before SST
                Thread.sleep(10_000);
                assertThat(p.isAlive()).as("still waiting for a Primary").isTrue();
                assertThat(n.status("Uptime")).as("answers SQL without a Primary").isNull();
                assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).doesNotContain("ready for connections");
                // pc.wait_prim at its default (yes): no Primary within pc.wait_prim_timeout (30 s) ends mysqld, so the
                // kubelet restarts its container instead of it staying non-Primary forever
                long t = System.nanoTime();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mysqld exits without a Primary").isTrue();
                seconds("then mysqld exited after", t);
                assertThat(p.exitValue()).as("exit code").isNotZero();
                assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).as("error log").contains("failed to reach primary view");
            } finally {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBootstrapHappensOnceAndAContainerRestartJoinsTheExistingPrimary() throws Exception {
        List<String> peers = List.of(A, B, UNREACHABLE);
        try (GaleraTestNode a = GaleraTestNode.create(tmp.resolve("a"), "node-a", A, peers);
                GaleraTestNode b = GaleraTestNode.create(tmp.resolve("b"), "node-b", B, peers)) {
            // NEW_CLUSTER on A: the one-shot file bootstraps; the sidecar deletes it once A is Primary
            a.writeOneShot(new GaleraConfig.OneShot(true, Optional.empty()));
            long t = System.nanoTime();
            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 30)).as("A Synced").isTrue();
            seconds("new cluster from the one-shot file to Synced", t);
            assertThat(a.status("wsrep_cluster_status")).isEqualTo("Primary");
            String clusterUuid = a.status("wsrep_cluster_state_uuid");
            Files.delete(a.oneShotFile());

            t = System.nanoTime();
            b.db.start();
            assertThat(b.await("wsrep_local_state_comment", "Synced", 90)).as("B Synced").isTrue();
            seconds("B joined (rsync SST) to Synced", t);
            assertThat(a.status("wsrep_cluster_size")).isEqualTo("2");
            a.db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO app.t VALUES (1),(2),(3)");

            // B alone must keep the Primary when A dies (weight 2 of 3), as the others do in a larger cluster
            b.db.sql("SET GLOBAL wsrep_provider_options='pc.weight=2'");
            assertThat(Files.readString(a.db.dataDir().resolve("grastate.dat"))).as("A's grastate.dat while both run")
                    .contains("safe_to_bootstrap: 0");

            // the mariadb container of A crashes and restarts with the config written earlier
            a.db.kill9();
            assertThat(b.await("wsrep_cluster_size", "1", 30)).isTrue();
            assertThat(b.status("wsrep_cluster_status")).as("B keeps the Primary").isEqualTo("Primary");
            long logBefore = Files.size(a.db.errorLog());
            t = System.nanoTime();
            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 90)).as("A rejoined").isTrue();
            seconds("A restarted with the same galera.cnf, rejoined to Synced", t);
            assertThat(a.status("wsrep_cluster_state_uuid")).as("cluster uuid after restart").isEqualTo(clusterUuid);
            assertThat(a.status("wsrep_cluster_size")).isEqualTo("2");
            assertThat(b.status("wsrep_cluster_size")).isEqualTo("2");
            String restartLog = Files.readString(a.db.errorLog(), StandardCharsets.ISO_8859_1).substring((int) logBefore);
            assertThat(restartLog).as("A's log after the restart").doesNotContain("bootstrapping new group");

            // had the sidecar never deleted the one-shot file, Galera itself refuses the second bootstrap
            a.db.kill9();
            assertThat(b.await("wsrep_cluster_size", "1", 30)).isTrue();
            a.writeOneShot(new GaleraConfig.OneShot(true, Optional.empty()));
            assertThatThrownBy(() -> a.db.start()).as("restart with a stale bootstrap setting")
                    .hasMessageContaining("It may not be safe to bootstrap the cluster from this node");
            assertThat(b.status("wsrep_cluster_status")).isEqualTo("Primary");
            Files.delete(a.oneShotFile());
            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 90)).as("A rejoined").isTrue();
            assertThat(a.status("wsrep_cluster_state_uuid")).isEqualTo(clusterUuid);

            // full crash: both die; the agent recovers positions and bootstraps the most advanced node
            a.db.sql("INSERT INTO app.t VALUES (4)");
            b.db.kill9();
            a.db.kill9();
            WsrepRecover recover = new WsrepRecover(LocalMariaDb.MARIADBD.toString(), Duration.ofSeconds(120));
            Position pa = recover.run(a.db.configFile(), a.db.dir().resolve("recover.log")).position();
            Position pb = recover.run(b.db.configFile(), b.db.dir().resolve("recover.log")).position();
            System.out.println("recovered A=" + pa + " B=" + pb);
            assertThat(pa.uuid().toString()).isEqualTo(clusterUuid);
            GaleraTestNode first = pa.seqno() >= pb.seqno() ? a : b;
            GaleraTestNode second = first == a ? b : a;
            Position firstPos = first == a ? pa : pb;
            Position secondPos = first == a ? pb : pa;
            Path grastate = first.db.dataDir().resolve("grastate.dat");
            GrastateFile g = GrastateFile.parse(Files.readString(grastate));
            System.out.println("grastate of the chosen node after the crash: " + g);
            Files.writeString(grastate, g.withSafeToBootstrap(true).render());
            first.writeOneShot(new GaleraConfig.OneShot(true, Optional.of(firstPos)));
            t = System.nanoTime();
            first.db.start();
            assertThat(first.await("wsrep_local_state_comment", "Synced", 30)).isTrue();
            seconds("recovery bootstrap (wsrep_new_cluster + wsrep_start_position) to Synced", t);
            assertThat(first.status("wsrep_cluster_state_uuid")).as("history kept by the recovery bootstrap").isEqualTo(clusterUuid);
            assertThat(Long.parseLong(first.status("wsrep_last_committed"))).isGreaterThanOrEqualTo(firstPos.seqno());
            assertThat(first.db.sql("SELECT COUNT(*) FROM app.t")).isEqualTo("4");
            Files.delete(first.oneShotFile());

            second.writeOneShot(new GaleraConfig.OneShot(false, Optional.of(secondPos)));
            t = System.nanoTime();
            second.db.start();
            assertThat(second.await("wsrep_local_state_comment", "Synced", 90)).isTrue();
            seconds("second node with wsrep_start_position to Synced", t);
            assertThat(second.status("wsrep_cluster_state_uuid")).isEqualTo(clusterUuid);
            assertThat(first.status("wsrep_cluster_size")).isEqualTo("2");
            System.out.println("second node's state transfer: " + (Files.readString(second.db.errorLog(), StandardCharsets.ISO_8859_1).contains("IST received") ? "IST" : "SST"));
        }
    }

    private static void seconds(String what, long startedNanos) {
        System.out.printf("%s: %.1f s%n", what, (System.nanoTime() - startedNanos) / 1e9);
    }
}
