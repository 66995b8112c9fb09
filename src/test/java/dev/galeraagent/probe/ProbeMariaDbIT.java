package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import dev.galeraagent.probe.Observation.Failure;
import dev.galeraagent.testing.LocalMariaDb;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The probe against real mariadbd processes: a plain server and a single-node Galera cluster. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbeMariaDbIT {
    static final String PASSWORD = "pr0be-secret";
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    LocalMariaDb galera;

    @BeforeAll
    void startGalera(@TempDir Path shared) throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        galera = LocalMariaDb.create(shared.resolve("galera"), "127.0.30.2", 3306, true, "");
        galera.start();
        createProbeUser(galera);
        awaitSynced(galera);
    }

    @AfterAll
    void stopGalera() throws Exception {
        if (galera != null) {
            galera.close();
        }
    }

    static void createProbeUser(LocalMariaDb db) throws Exception {
        db.sql("CREATE USER IF NOT EXISTS 'probe'@'%' IDENTIFIED BY '" + PASSWORD + "'");
    }

    static void awaitSynced(LocalMariaDb db) throws InterruptedException {
        for (int i = 0; i < 200 && !"Synced".equals(db.status("wsrep_local_state_comment")); i++) {
            Thread.sleep(100);
        }
        assertThat(db.status("wsrep_local_state_comment")).isEqualTo("Synced");
    }

    static MariaDbAccess access(LocalMariaDb db, String password) {
        return new MariaDbAccess(db.address(), db.port(), "probe", password, TIMEOUT);
    }

    static ProbePolicy policy(LocalMariaDb db) {
        return new ProbePolicy(false, Duration.ofSeconds(60), "probe", db.address() + ":" + db.port());
    }

    static ProbeService service(LocalMariaDb db, String password, Duration cache) {
        return new ProbeService(new MariaDbStatusReader(access(db, password)), new NodeFiles(db.dataDir(), null), policy(db),
                cache, TIMEOUT, "test", null, null);
    }

    @Test
    void singleNodeGaleraIsLiveReadyAndStarted() {
        try (ProbeService s = service(galera, PASSWORD, Duration.ZERO)) {
            Health h = s.health();
            assertThat(h.ready().ok()).as(h.ready().reason()).isTrue();
            assertThat(h.ready().reason()).isEqualTo("ready: Synced in a Primary component of 1 node(s)");
            assertThat(h.live().ok()).isTrue();
            assertThat(h.startup().ok()).isTrue();
        }
    }

    /** The manifest's galera-initdb gives the probe user no grant (InitdbScriptIT): every query the reader runs must work so. */
    @Test
    void aUserWithOnlyUsageReadsEveryVariableTheProbeAsksFor() throws Exception {
        assertThat(galera.sql("SHOW GRANTS FOR 'probe'@'%'").lines()).singleElement().asString().startsWith("GRANT USAGE ON *.* TO `probe`@`%`");
        try (MariaDbStatusReader reader = new MariaDbStatusReader(access(galera, PASSWORD))) {
            Observation o = reader.read();
            assertThat(o).as(String.valueOf(o)).isInstanceOf(Answered.class);
            Answered a = (Answered) o;
            assertThat(a.get("wsrep_on")).isEqualTo("ON");
            assertThat(a.get("wsrep_cluster_status")).isEqualTo("Primary");
            assertThat(a.get("wsrep_local_state_comment")).isEqualTo("Synced");
            assertThat(a.get("wsrep_cluster_state_uuid")).matches("[0-9a-f-]{36}");
            assertThat(a.get("wsrep_last_committed")).matches("[0-9]+");
            assertThat(a.get("wsrep_connected")).isEqualTo("ON");
            assertThat(a.get("wsrep_ready")).isEqualTo("ON");
        }
    }

    @Test
    void wrongPasswordIsLiveButNotReadyAndSaysAccessWasDenied() {
        try (ProbeService s = service(galera, "wrong-password", Duration.ZERO)) {
            Health h = s.health();
            assertThat(h.ready().ok()).isFalse();
            assertThat(h.ready().reason()).contains("denied access to user 'probe'").contains("check the probe password")
                    .doesNotContain("wrong-password");
            assertThat(h.live().ok()).isTrue();
        }
    }

    @Test
    void aFrozenServerGivesAHungAnswerWithinTwoSeconds() throws Exception {
        try (ProbeService s = service(galera, PASSWORD, Duration.ZERO)) {
            assertThat(s.health().ready().ok()).isTrue(); // a warm connection that then hangs
            galera.freeze();
            try {
                long t0 = System.nanoTime();
                Health h = s.health();
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(took).isLessThan(Duration.ofSeconds(2));
                assertThat(h.live().ok()).as(h.live().reason()).isFalse();
                assertThat(h.live().reason()).contains("did not answer").contains("hung?");
                assertThat(h.ready().ok()).isFalse();

                // a new connection to a frozen server (TCP accepted by the kernel, no handshake) times out too
                try (ProbeService fresh = service(galera, PASSWORD, Duration.ZERO)) {
                    t0 = System.nanoTime();
                    Health h2 = fresh.health();
                    took = Duration.ofNanos(System.nanoTime() - t0);
                    assertThat(took).isLessThan(Duration.ofSeconds(2));
                    assertThat(h2.live().reason()).contains("hung?");
                }
                // the read itself (not only the caller's wait) gives up, so the single flight is never stuck
                try (MariaDbStatusReader reader = new MariaDbStatusReader(access(galera, PASSWORD))) {
                    t0 = System.nanoTime();
                    Observation o = reader.read();
                    took = Duration.ofNanos(System.nanoTime() - t0);
                    System.out.println("read of a frozen server, new connection: " + o + " after " + took.toMillis() + " ms");
                    assertThat(o).isInstanceOfSatisfying(Failed.class, f -> assertThat(f.failure()).isEqualTo(Failure.TIMEOUT));
                    assertThat(took).isLessThan(Duration.ofMillis(2500));
                }
            } finally {
                galera.thaw();
            }
            // the same service recovers once the server answers again
            Health after = null;
            for (int i = 0; i < 50; i++) {
                after = s.health();
                if (after.ready().ok()) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(after.ready().ok()).as(after.ready().reason()).isTrue();
        }
    }

    @Test
    void plainServerIsNotReadyBecauseGaleraIsNotEnabled() throws Exception {
        try (LocalMariaDb plain = LocalMariaDb.create(tmp.resolve("plain"), "127.0.30.1", 3306, false, "")) {
            plain.start();
            createProbeUser(plain);
            try (ProbeService s = service(plain, PASSWORD, Duration.ZERO)) {
                Health h = s.health();
                assertThat(h.ready().ok()).isFalse();
                assertThat(h.ready().reason()).startsWith("not ready: Galera is not enabled");
                assertThat(h.live().ok()).isTrue();
                assertThat(h.startup().ok()).isTrue();
            }
        }
    }

    @Test
    void aStoppedServerIsDownAndTheReaderReconnectsWhenItIsBack() throws Exception {
        try (LocalMariaDb db = LocalMariaDb.create(tmp.resolve("restart"), "127.0.30.3", 3306, true, "")) {
            db.start();
            createProbeUser(db);
            awaitSynced(db);
            try (MariaDbStatusReader reader = new MariaDbStatusReader(access(db, PASSWORD))) {
                assertThat(reader.read()).isInstanceOf(Answered.class);
                db.stop();
                Observation down = reader.read();
                assertThat(down).isInstanceOfSatisfying(Failed.class, f -> assertThat(f.failure()).isEqualTo(Failure.DOWN));
                Health h = HealthVerdict.judge(down, new LocalSigns(false, Duration.ZERO), policy(db));
                assertThat(h.ready().reason()).startsWith("not ready: mysqld is not answering on 127.0.30.3:3306");
                assertThat(h.live().ok()).as("within the start-up grace").isTrue();
                assertThat(h.startup().ok()).isFalse();
                assertThat(HealthVerdict.judge(down, new LocalSigns(false, Duration.ofMinutes(5)), policy(db)).live().ok()).isFalse();

                db.start(); // a clean stop left safe_to_bootstrap: 1, so it bootstraps again
                awaitSynced(db);
                assertThat(reader.read()).isInstanceOf(Answered.class);
            }
        }
    }
}
