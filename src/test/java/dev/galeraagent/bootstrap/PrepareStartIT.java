package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent prepare-start} against a real single-node Galera, started the way the pod starts it: galera.cnf
 * lists peers that do not answer (the other pods, not joined yet), the bootstrap comes from the one-shot file, and
 * the mariadb container restarts with no init container. Without the recovered position, {@code pc.recovery}
 * restores the Primary under a new cluster uuid (measured here too, as the control).
 */
class PrepareStartIT {
    private static final String A = "127.0.10.31";
    private static final List<String> PEERS = List.of(A, "127.0.10.32", "127.0.10.33");

    @TempDir
    Path tmp;

    @BeforeEach
    void needsGalera() {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
    }

    private static PrepareStart prepare(GaleraTestNode n) {
        return new PrepareStart(n.db.dataDir(), n.confDir, LocalMariaDb.MARIADBD.toString(), Optional.of(n.db.configFile()), Duration.ofSeconds(120));
    }

    /** Inserts rows one by one until stopped; a row counts once its INSERT returned. */
    private static Thread writer(GaleraTestNode n, AtomicBoolean stop, ConcurrentLinkedQueue<Integer> acked) {
        return Thread.ofPlatform().start(() -> {
            for (int i = 1; !stop.get(); i++) {
                try {
                    n.db.sql("INSERT INTO app.t VALUES (" + i + ")");
                    acked.add(i);
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    @Test
    void aKill9UnderWritesAndAContainerOnlyRestartKeepTheClusterUuidAndTheSeqnoAndRetireTheSpentBootstrap() throws Exception {
        try (GaleraTestNode a = GaleraTestNode.create(tmp.resolve("a"), "node-a", A, PEERS)) {
            a.writeOneShot(new GaleraConfig.OneShot(true, Optional.empty()));
            assertThat(prepare(a).run()).as("a data directory without history: nothing to pass").isEmpty();
            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 30)).isTrue();
            String clusterUuid = a.status("wsrep_cluster_state_uuid");
            a.db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB");
            // the sidecar never removed the one-shot file (it could not log in, say): only prepare-start stands between
            // the restart and a second bootstrap

            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Integer> acked = new ConcurrentLinkedQueue<>();
            Thread w = writer(a, stop, acked);
            Thread.sleep(3000);
            long committedBefore = Long.parseLong(a.status("wsrep_last_committed"));
            a.db.kill9();
            stop.set(true);
            w.join(30_000);
            assertThat(acked).as("rows acknowledged before the kill").hasSizeGreaterThan(10);
            assertThat(GrastateFile.parse(Files.readString(a.db.dataDir().resolve("grastate.dat"))).seqno()).isEqualTo(-1);

            long t = System.nanoTime();
            List<String> args = prepare(a).run();
            System.out.printf("prepare-start with --wsrep-recover took %.2f s%n", (System.nanoTime() - t) / 1e9);
            assertThat(a.oneShotFile()).as("the spent one-shot bootstrap").doesNotExist();
            assertThat(args).hasSize(1);
            Position recovered = Position.parse("arg", args.getFirst().substring("--wsrep-start-position=".length()));
            assertThat(recovered.uuid().toString()).isEqualTo(clusterUuid);
            assertThat(recovered.seqno()).isGreaterThanOrEqualTo(committedBefore).isGreaterThanOrEqualTo(acked.size());

            long logBefore = Files.size(a.db.errorLog());
            a.db.start(args.toArray(String[]::new));
            assertThat(a.await("wsrep_local_state_comment", "Synced", 60)).as("restored Primary, Synced").isTrue();
            String restart = Files.readString(a.db.errorLog(), StandardCharsets.ISO_8859_1).substring((int) logBefore);
            assertThat(restart).as("restart log").doesNotContain("Starting new group from scratch").doesNotContain("bootstrapping new group");
            assertThat(a.status("wsrep_cluster_status")).isEqualTo("Primary");
            assertThat(a.status("wsrep_cluster_state_uuid")).as("one history").isEqualTo(clusterUuid);
            assertThat(Long.parseLong(a.status("wsrep_last_committed"))).as("seqno not reset").isGreaterThanOrEqualTo(recovered.seqno());
            List<Integer> missing = acked.stream().filter(i -> !present(a, i)).toList();
            assertThat(missing).as("acknowledged rows lost").isEmpty();

            // the control: the same restart without prepare-start's argument starts a new history
            a.db.kill9();
            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 60)).isTrue();
            assertThat(a.status("wsrep_cluster_state_uuid")).as("plain restart after kill -9").isNotEqualTo(clusterUuid);
        }
    }

    private static boolean present(GaleraTestNode n, int id) {
        try {
            return n.db.sql("SELECT COUNT(*) FROM app.t WHERE id = " + id).strip().equals("1");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aBootstrapThatCrashedBeforePrimaryIsKeptAndMarkedSafeSoTheRestartBootstrapsInsteadOfBeingRefused() throws Exception {
        try (GaleraTestNode a = GaleraTestNode.create(tmp.resolve("a"), "node-a", A, PEERS)) {
            a.writeOneShot(new GaleraConfig.OneShot(true, Optional.empty()));
            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 30)).isTrue();
            String clusterUuid = a.status("wsrep_cluster_state_uuid");
            a.db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO app.t VALUES (1),(2),(3)");
            a.db.kill9();
            Files.delete(a.oneShotFile());

            // what agent bootstrap leaves for BOOTSTRAP_FROM_HERE after the full crash: the recovered position in the
            // one-shot file; then mariadbd dies before Primary and Galera leaves safe_to_bootstrap: 0 behind
            RecoverLog.Recovered r = new WsrepRecover(LocalMariaDb.MARIADBD.toString(), Duration.ofSeconds(120))
                    .run(a.db.configFile(), a.db.dir().resolve("recover.log"));
            Thread.sleep(20); // the one-shot file must be newer than gvwstate.dat, as it is in a pod
            a.writeOneShot(new GaleraConfig.OneShot(true, Optional.of(r.position())));
            Path grastate = a.db.dataDir().resolve("grastate.dat");
            GrastateFile crashed = GrastateFile.parse(Files.readString(grastate));
            Files.writeString(grastate, crashed.withSafeToBootstrap(false).render());

            assertThat(prepare(a).run()).as("the one-shot carries the position").isEmpty();
            assertThat(a.oneShotFile()).as("still pending").exists();
            assertThat(GrastateFile.parse(Files.readString(grastate)).safeToBootstrap()).isTrue();

            a.db.start();
            assertThat(a.await("wsrep_local_state_comment", "Synced", 30)).as("bootstrapped").isTrue();
            assertThat(a.status("wsrep_cluster_state_uuid")).isEqualTo(clusterUuid);
            assertThat(Long.parseLong(a.status("wsrep_last_committed"))).isGreaterThan(r.position().seqno());
            assertThat(a.db.sql("SELECT COUNT(*) FROM app.t").strip()).isEqualTo("3");
        }
    }
}
