package dev.galeraagent.bootstrap;

import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;

import static dev.galeraagent.bootstrap.PlannerFixtures.U1;
import static dev.galeraagent.bootstrap.PlannerFixtures.U2;
import static dev.galeraagent.bootstrap.PlannerFixtures.primary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.discovery.PeerStatusClient;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.testing.Pods;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop against real HTTP peers on 127.0.10.x, real files and a real (fake-binary) recover process. */
class BootstrapLoopTest {
    private static final int PORT = 19800;

    @TempDir
    Path tmp;

    private final List<HttpServer> servers = new ArrayList<>();
    private final PeerStatusClient statusClient = new PeerStatusClient(Duration.ofSeconds(1), Duration.ofSeconds(2));
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void captureLog() {
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
        statusClient.close();
        Log.setOutput(System.err);
    }

    /** A peer's probe serve, answering a fixed NodeStatus. */
    private void peer(String address, NodeStatus status) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(address, PORT), 4);
        s.createContext("/status", ex -> {
            byte[] body = StatusJson.write(status).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        servers.add(s);
    }

    private Path datadir(String name, Optional<String> grastate) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name).resolve("data"));
        if (grastate.isPresent()) {
            Files.writeString(d.resolve("grastate.dat"), grastate.get());
            Files.createDirectories(d.resolve("mysql"));
        }
        return d;
    }

    private static String grastate(java.util.UUID uuid, long seqno, boolean safe) {
        return GrastateFile.of(new Position(uuid, seqno), safe).render();
    }

    private Path fakeMariadbd(String position) throws Exception {
        Path fake = tmp.resolve("fake-mariadbd");
        Files.writeString(fake, "#!/bin/sh\necho \"2026-11-26  8:46:11 0 [Note] WSREP: Recovered position: " + position + "\" > \"${3#--log-error=}\"\n");
        fake.toFile().setExecutable(true);
        return fake;
    }

    private BootstrapSettings settings(String name, int ordinal, int replicas, Path datadir, String podIp, String mariadbd, Duration timeout, int statusPort) {
        return new BootstrapSettings(Pods.identity(ordinal, podIp), replicas, datadir, tmp.resolve(name).resolve("conf"), "galera.cnf", Optional.empty(),
                Optional.empty(), Optional.empty(), "galera", "rsync", "/usr/lib/galera/libgalera_smm.so", mariadbd, Duration.ofSeconds(10), timeout,
                statusPort, "0.0.0.0", false, PlannerFixtures.majority(replicas), Duration.ofMinutes(5), Optional.empty(), Optional.empty());
    }

    /** DNS would answer 127.0.10.2x, so the tests reach real HTTP servers without a DNS server. */
    private BootstrapLoop loop(BootstrapSettings s) {
        return new BootstrapLoop(s, () -> Pods.loopback(s.identity(), s.replicas(), "127.0.10.", 20), peers -> statusClient.fetchAll(peers, PORT),
                StateBoard.NONE, new PrintWriter(new StringWriter()));
    }

    @Test
    void joinsALivePrimaryAndStartsFromTheRecoveredPosition() throws Exception {
        peer("127.0.10.20", primary(0, U1, 60));
        Path data = datadir("p1", Optional.of(grastate(U1, -1, false)));
        BootstrapSettings s = settings("p1", 1, 3, data, "127.0.10.21", fakeMariadbd(U1 + ":57").toString(), Duration.ofSeconds(10), 0);
        Plan plan = loop(s).run();
        assertThat(plan).isInstanceOfSatisfying(Plan.Join.class, j -> assertThat(j.startPosition()).contains(new Position(U1, 57)));
        String cnf = Files.readString(s.configFile());
        assertThat(cnf).as("gcomm:// lists every peer by its stable name").contains("wsrep_cluster_address = gcomm://galera-0.galera.default.svc.cluster.local:4567,"
                + "galera-1.galera.default.svc.cluster.local:4567,galera-2.galera.default.svc.cluster.local:4567\n");
        assertThat(cnf).contains("wsrep_node_address = 127.0.10.21").contains("server_id = 2").doesNotContain("wsrep_new_cluster");
        assertThat(Files.readString(s.oneShotDir().resolve("bootstrap.cnf"))).contains("wsrep_start_position = " + U1 + ":57")
                .doesNotContain("wsrep_new_cluster");
        assertThat(Files.exists(s.configDir().resolve(HandOff.REQUEST))).isFalse();
        assertThat(logged.toString()).contains("decision JOIN: pods [0] are in a live Primary component").containsPattern("bootstrap summary: decision=JOIN total=[0-9.]+s identity=");
    }

    @Test
    void podZeroStartsANewClusterWithAHandOffThatTheSidecarCompletes() throws Exception {
        // pods 1 and 2 wait in their init containers and serve their empty state: heard, so a fresh cluster
        peer("127.0.10.21", PlannerFixtures.waiting(1, PlannerFixtures.empty()));
        peer("127.0.10.22", PlannerFixtures.waiting(2, PlannerFixtures.empty()));
        Path data = datadir("p0", Optional.empty());
        BootstrapSettings s = settings("p0", 0, 3, data, "127.0.10.20", "/nonexistent", Duration.ofSeconds(10), 0);
        Files.createDirectories(s.oneShotDir());
        Files.writeString(s.oneShotDir().resolve("bootstrap.cnf"), "[galera]\nwsrep_start_position = stale\n");
        assertThat(loop(s).run()).isInstanceOf(Plan.NewCluster.class);
        Path once = s.oneShotDir().resolve("bootstrap.cnf");
        assertThat(Files.readString(once)).contains("wsrep_new_cluster").doesNotContain("stale");
        HandOff req = HandOff.pending(s.configDir()).orElseThrow();
        assertThat(req.plan()).isEqualTo("NEW_CLUSTER");
        assertThat(req.oneShotFile()).isEqualTo(once.toString());
        assertThat(Files.readString(s.configDir().resolve(HandOff.REQUEST))).contains("\"plan\":\"NEW_CLUSTER\"").contains("\"one_shot_file\"");

        HandOff.complete(s.configDir());
        assertThat(Files.exists(once)).as("one-shot file after the sidecar saw Primary").isFalse();
        assertThat(Files.exists(s.configDir().resolve(HandOff.DONE))).isTrue();
        assertThat(HandOff.pending(s.configDir())).isEmpty();
        assertThat(Files.readString(s.configFile())).doesNotContain("wsrep_new_cluster");
    }

    @Test
    void bootstrapsFromHereAfterACrashSettingSafeToBootstrapAtomically() throws Exception {
        Path data = datadir("solo", Optional.of(grastate(U1, -1, false)));
        BootstrapSettings s = settings("solo", 0, 1, data, "127.0.10.20", fakeMariadbd(U1 + ":3000000000,0-1-5").toString(), Duration.ofSeconds(10), 0);
        Plan plan = loop(s).run();
        assertThat(plan).isInstanceOfSatisfying(Plan.BootstrapFromHere.class, b -> assertThat(b.position()).isEqualTo(new Position(U1, 3_000_000_000L)));
        GrastateFile g = GrastateFile.parse(Files.readString(data.resolve("grastate.dat")));
        assertThat(g.safeToBootstrap()).isTrue();
        assertThat(g.seqno()).as("grastate seqno is left to Galera").isEqualTo(-1);
        assertThat(Files.readString(s.oneShotDir().resolve("bootstrap.cnf"))).contains("wsrep_new_cluster\nwsrep_start_position = " + U1 + ":3000000000\n");
        assertThat(HandOff.pending(s.configDir()).orElseThrow().position()).isEqualTo(new Position(U1, 3_000_000_000L));
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left in the data directory").containsExactlyInAnyOrder("grastate.dat", "mysql");
        }
    }

    @Test
    void waitsLoggingEachReasonOnceThenTimesOutWithExitCodeFour() throws Exception {
        Path data = datadir("p1", Optional.empty());
        BootstrapSettings s = settings("p1", 1, 3, data, "127.0.10.21", "/nonexistent", Duration.ofSeconds(3), 0);
        long started = System.nanoTime();
        assertThatThrownBy(() -> loop(s).run()).isInstanceOf(AgentException.class)
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(ExitCode.TIMEOUT))
                .hasMessageContaining("gave up after 3s (--timeout): WAIT: ")
                .hasMessageContaining("only pod 0 starts it");
        assertThat((System.nanoTime() - started) / 1e9).isBetween(2.5, 8.0);
        String log = logged.toString();
        assertThat(log.split("waiting: fresh cluster: only pod 0 starts it", -1)).as("logged once: " + log).hasSize(2);
        assertThat(Files.exists(s.configFile())).as("no config while waiting").isFalse();
    }

    @Test
    void refusesWithExitCodeThreeWhenThePrimaryHoldsAnotherHistory() throws Exception {
        peer("127.0.10.20", primary(0, U2, 9));
        Path data = datadir("p1", Optional.of(grastate(U1, 40, false)));
        BootstrapSettings s = settings("p1", 1, 2, data, "127.0.10.21", "/nonexistent", Duration.ofSeconds(10), 0);
        assertThatThrownBy(() -> loop(s).run()).isInstanceOf(AgentException.class)
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(ExitCode.REFUSED))
                .hasMessageStartingWith("refused: ").hasMessageContaining("another cluster history: " + U1);
        assertThat(Files.exists(s.configFile())).isFalse();
    }

    @Test
    void aCorruptGrastateIsAnIoErrorNamingTheField() throws Exception {
        Path data = datadir("p0", Optional.of("version: 2.1\nuuid: " + U1 + "\nseqno: 12x\nsafe_to_bootstrap: 0\n"));
        BootstrapSettings s = settings("p0", 0, 1, data, "127.0.10.20", "/nonexistent", Duration.ofSeconds(10), 0);
        assertThatThrownBy(() -> loop(s).run()).isInstanceOf(AgentException.class)
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(ExitCode.IO))
                .hasMessageContaining("grastate.dat is corrupt: seqno: not a number: '12x'");
    }

    /** Rule 9: without the API, waiting pods hold the election over each other's /status. */
    @Test
    void electsTheMostAdvancedPodOverThePeersStatusWithoutTheApi() throws Exception {
        Path d0 = datadir("p0", Optional.of(grastate(U1, 5, false)));
        Path d1 = datadir("p1", Optional.of(grastate(U1, 9, false)));
        BootstrapSettings s0 = settings("p0", 0, 2, d0, "127.0.10.20", "/nonexistent", Duration.ofSeconds(20), PORT);
        BootstrapSettings s1 = settings("p1", 1, 2, d1, "127.0.10.21", "/nonexistent", Duration.ofSeconds(20), PORT);
        CompletableFuture<Object> pod0 = CompletableFuture.supplyAsync(() -> {
            try {
                return loop(s0).run();
            } catch (AgentException e) {
                return e;
            }
        });
        // while pod 0 waits it serves its state on /status
        NodeStatus seen = null;
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 50 && seen == null; i++) {
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.10.20:" + PORT + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                seen = StatusJson.read(r.body(), NodeStatus.class);
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        assertThat(seen).isNotNull();
        assertThat(seen.ready()).isFalse();
        assertThat(seen.lastDecision().seqno()).isEqualTo(5);

        Plan plan1 = loop(s1).run();
        assertThat(plan1).isInstanceOf(Plan.BootstrapFromHere.class);
        // pod 1's mysqld comes up Primary and its probe serve answers in place of the init container
        peer("127.0.10.21", primary(1, U1, 10));
        Object result0 = pod0.get();
        assertThat(result0).isInstanceOfSatisfying(Plan.Join.class, j -> assertThat(j.primaryMembers()).containsExactly(1));
        // no assertion on pod 0 logging "waiting for pod 1 to bootstrap": pod 1 may decide within one of pod 0's backoff sleeps
    }

    /** A board that hands out the Lease and records what the loop does with it. */
    private static class RecordingBoard implements StateBoard {
        final List<String> calls = new ArrayList<>();

        @Override
        public java.util.Map<Integer, dev.galeraagent.status.PublishedState> published() {
            return java.util.Map.of();
        }

        @Override
        public java.util.Set<Integer> readyPods() {
            return java.util.Set.of();
        }

        @Override
        public Optional<Integer> openBootstrap() {
            return Optional.empty();
        }

        @Override
        public boolean publish(dev.galeraagent.status.PublishedState own) {
            calls.add("publish " + own.decision());
            return true;
        }

        @Override
        public LeaseGrant acquireLease(String holder, Optional<Position> position) {
            calls.add("acquire " + holder);
            return new LeaseGrant.Held(new HandOffLease("default", "galera-galera-bootstrap", holder, Duration.ofSeconds(60)));
        }

        @Override
        public void releaseLease(String holder) {
            calls.add("release " + holder);
        }

        @Override
        public List<String> describe() {
            return List.of();
        }
    }

    /** Rule 6: the last look at the peers after taking the Lease finds a Primary: give the Lease back and join it. */
    @Test
    void aPrimaryThatAppearsOnceTheLeaseIsTakenIsJoinedAndTheLeaseGivenBack() throws Exception {
        Path data = datadir("p0", Optional.empty());
        BootstrapSettings s = settings("p0", 0, 2, data, "127.0.10.20", "/nonexistent", Duration.ofSeconds(20), 0);
        RecordingBoard board = new RecordingBoard();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        PeerProbe probe = peers -> {
            // first the peer waits with an empty data directory (a fresh cluster), then it is Primary
            NodeStatus st = asked.incrementAndGet() == 1 ? PlannerFixtures.waiting(1, PlannerFixtures.empty()) : primary(1, U1, 1);
            return List.of(new dev.galeraagent.discovery.PeerStatus.Live(1, peers.getFirst().fqdn(), null, st));
        };
        Plan plan = new BootstrapLoop(s, () -> Pods.loopback(s.identity(), 2, "127.0.10.", 20), probe, board, new PrintWriter(new StringWriter())).run();
        assertThat(plan).isInstanceOf(Plan.Join.class);
        assertThat(board.calls).containsExactly("acquire galera-0", "release galera-0", "publish WAIT", "publish JOIN");
        assertThat(logged.toString()).contains("but pods [1] became Primary meanwhile: not bootstrapping, joining them next (rule 6)");
        assertThat(Files.exists(s.configDir().resolve(HandOff.REQUEST))).isFalse();
        assertThat(Files.exists(s.oneShotDir().resolve("bootstrap.cnf"))).as("a joiner without history needs no one-shot file").isFalse();
    }

    @Test
    void theHandOffRecordsTheLeaseForTheSidecar() throws Exception {
        peer("127.0.10.21", PlannerFixtures.waiting(1, PlannerFixtures.empty()));
        Path data = datadir("p0", Optional.empty());
        BootstrapSettings s = settings("p0", 0, 2, data, "127.0.10.20", "/nonexistent", Duration.ofSeconds(20), 0);
        RecordingBoard board = new RecordingBoard();
        new BootstrapLoop(s, () -> Pods.loopback(s.identity(), 2, "127.0.10.", 20), peers -> statusClient.fetchAll(peers, PORT), board,
                new PrintWriter(new StringWriter())).run();
        String json = Files.readString(s.configDir().resolve(HandOff.REQUEST));
        assertThat(json).contains("\"lease\":{\"namespace\":\"default\",\"name\":\"galera-galera-bootstrap\",\"holder\":\"galera-0\",\"duration_seconds\":60}");
        assertThat(HandOffLease.in(json)).contains(new HandOffLease("default", "galera-galera-bootstrap", "galera-0", Duration.ofSeconds(60)));
        assertThat(HandOff.parse(json).plan()).isEqualTo("NEW_CLUSTER");
        // under load a first /status may time out: a WAIT round before is fine, one Lease attempt and the decision end it
        assertThat(board.calls).endsWith("acquire galera-0", "publish NEW_CLUSTER").containsOnlyOnce("acquire galera-0");
    }

    @Test
    void theSidecarClearsAJoinersOneShotFilesAndCompletingWithoutARequestDoesNothing() throws Exception {
        Path once = Files.createDirectories(tmp.resolve(HandOff.ONE_SHOT_DIR));
        Files.writeString(once.resolve("bootstrap.cnf"), "[galera]\nwsrep_start_position = x:1\n");
        HandOff.complete(tmp);
        assertThat(Files.exists(once.resolve("bootstrap.cnf"))).as("complete() only acts on a request").isTrue();
        HandOff.clearOneShots(tmp);
        assertThat(Files.exists(once.resolve("bootstrap.cnf"))).isFalse();
        HandOff.clearOneShots(tmp.resolve("missing"));
    }

    /** DNS is asked again every round: a pod whose name appears later (created, rescheduled) is found and joined. */
    @Test
    void aPeerWhoseNameResolvesOnlyLaterIsFoundOnALaterRound() throws Exception {
        peer("127.0.10.20", primary(0, U1, 12));
        Path data = datadir("p1", Optional.empty());
        BootstrapSettings s = settings("p1", 1, 2, data, "127.0.10.21", "/nonexistent", Duration.ofSeconds(20), 0);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        PeerDirectory directory = () -> {
            var all = Pods.loopback(s.identity(), 2, "127.0.10.", 20);
            if (asked.incrementAndGet() > 2) {
                return all;
            }
            var missing = new dev.galeraagent.discovery.DiscoveryResult.PeerDns(0, s.identity().peerFqdn(0),
                    new dev.galeraagent.discovery.DiscoveryResult.Unresolved(dev.galeraagent.discovery.DnsFailure.NXDOMAIN, "NXDOMAIN", 1));
            return new dev.galeraagent.discovery.DiscoveryResult(List.of(missing, all.peer(1)), List.of(), Duration.ZERO);
        };
        Plan plan = new BootstrapLoop(s, directory, peers -> statusClient.fetchAll(peers, PORT), StateBoard.NONE, new PrintWriter(new StringWriter())).run();
        assertThat(plan).isInstanceOfSatisfying(Plan.Join.class, j -> assertThat(j.primaryMembers()).containsExactly(0));
        assertThat(asked.get()).isEqualTo(3);
        assertThat(logged.toString()).contains("peers: 1/2 peers resolved").contains("galera-0 NXDOMAIN").contains("peers: 2/2 peers resolved");
    }

    /** A board whose publishes of a final decision fail {@code failures} times, as an API that times out would. */
    private static final class FlakyBoard extends RecordingBoard {
        int failures;

        FlakyBoard(int failures) {
            this.failures = failures;
        }

        @Override
        public boolean publish(dev.galeraagent.status.PublishedState own) {
            boolean fails = "decided".equals(own.phase()) && failures-- > 0;
            calls.add("publish " + own.decision() + (fails ? " FAILED" : ""));
            return !fails;
        }
    }

    /** Hole: a failed "decided" publish was only warned about, then mysqld ran while the others read the old state. */
    @Test
    void aDecisionThatCouldNotBePublishedIsNotActedOnUntilItIs() throws Exception {
        Path data = datadir("p0", Optional.of(grastate(U1, 40, true)));
        BootstrapSettings s = settings("p0", 0, 1, data, "127.0.10.20", "/nonexistent", Duration.ofSeconds(20), 0);
        FlakyBoard board = new FlakyBoard(2);
        List<Boolean> configWrittenWhileWaiting = new ArrayList<>();
        java.time.Instant[] now = {java.time.Instant.parse("2026-12-01T10:00:00Z")};
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return now[0];
            }
        };
        BootstrapLoop.Sleeper sleeper = d -> {
            configWrittenWhileWaiting.add(Files.exists(s.configFile()));
            now[0] = now[0].plus(d);
        };
        Plan plan = new BootstrapLoop(s, () -> Pods.loopback(s.identity(), 1, "127.0.10.", 20), peers -> List.of(), board,
                new PrintWriter(new StringWriter()), clock, sleeper).run();
        assertThat(plan).isInstanceOf(Plan.BootstrapFromHere.class);
        assertThat(board.calls).containsExactly(
                "acquire galera-0", "publish BOOTSTRAP_FROM_HERE FAILED", "release galera-0",
                "acquire galera-0", "publish BOOTSTRAP_FROM_HERE FAILED", "release galera-0",
                "acquire galera-0", "publish BOOTSTRAP_FROM_HERE");
        assertThat(configWrittenWhileWaiting).as("nothing is written while the decision is unpublished").containsExactly(false, false);
        assertThat(Files.readString(s.oneShotDir().resolve("bootstrap.cnf"))).contains("wsrep_new_cluster");
        assertThat(logged.toString()).contains("could not be published through the Kubernetes API: mysqld is not started on an unpublished decision");
    }

    /** Hole: InnoDB data without grastate.dat counted as "no history" and never ran --wsrep-recover. */
    @Test
    void innoDbDataWithoutGrastateTakesPartWithTheRecoveredPosition() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("lost-grastate").resolve("data"));
        Files.createDirectories(data.resolve("mysql"));
        Files.writeString(data.resolve("ibdata1"), "innodb");
        BootstrapSettings s = settings("lost-grastate", 0, 1, data, "127.0.10.20", fakeMariadbd(U1 + ":4242").toString(), Duration.ofSeconds(10), 0);
        Plan plan = loop(s).run();
        assertThat(plan).isInstanceOfSatisfying(Plan.BootstrapFromHere.class, b -> assertThat(b.position()).isEqualTo(new Position(U1, 4242)));
        GrastateFile written = GrastateFile.parse(Files.readString(data.resolve("grastate.dat")));
        assertThat(written).as("Galera needs the position and safe_to_bootstrap to start from it").isEqualTo(GrastateFile.of(new Position(U1, 4242), true));
    }

    @Test
    void innoDbDataWithNoGaleraPositionAtAllIsAPreGaleraDataSetThatPodZeroStartsFrom() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("standalone").resolve("data"));
        Files.createDirectories(data.resolve("mysql"));
        BootstrapSettings s = settings("standalone", 0, 1, data, "127.0.10.20",
                fakeMariadbd("00000000-0000-0000-0000-000000000000:-1").toString(), Duration.ofSeconds(10), 0);
        Plan plan = loop(s).run();
        assertThat(plan).isInstanceOf(Plan.NewCluster.class);
        assertThat(plan.reasons()).anyMatch(r -> r.contains("pre-Galera data set"));
    }

    /** Hole: a pod whose state transfer was cut off was trusted like any other (mariadb-operator lost every database so). */
    @Test
    void aCutOffStateTransferIsNeverABootstrapSource() throws Exception {
        Path data = datadir("cut", Optional.of(grastate(U1, 900, true)));
        Files.writeString(data.resolve("sst_in_progress"), "");
        BootstrapSettings s = settings("cut", 0, 1, data, "127.0.10.20", "/nonexistent", Duration.ofSeconds(10), 0);
        assertThatThrownBy(() -> loop(s).run()).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
            assertThat(e.getMessage()).contains("state transfer was cut off");
        });
        assertThat(Files.exists(s.configFile())).as("a refused run writes nothing").isFalse();
    }

    /**
     * Issue 11: a joiner polled after 0.5, 1, 2, 4, then every 5 s, and noticed the winner's Primary up to 5 s late.
     * Time is the test's clock, moved only by the loop's sleeps: pod 0 is silent for 90 s, then reports a higher
     * position (the election chooses it, so pod 1's reasons change), and is Primary from 94.5 s on.
     */
    @Test
    void aWaitPollsEverySecondForAMinuteAndAgainAfterItsReasonsChangeSoTheJoinerNoticesThePrimaryWithinASecond() throws Exception {
        Path data = datadir("p1", Optional.of(grastate(U1, 40, false)));
        BootstrapSettings s = settings("p1", 1, 2, data, "127.0.10.21", "/nonexistent", Duration.ofSeconds(600), 0);
        java.time.Instant t0 = java.time.Instant.parse("2026-12-02T01:00:00Z");
        dev.galeraagent.testing.MutableClock clock = new dev.galeraagent.testing.MutableClock(t0);
        List<Double> sleptAt = new ArrayList<>();
        List<Double> sleeps = new ArrayList<>();
        BootstrapLoop.Sleeper sleeper = d -> {
            sleptAt.add(seconds(t0, clock.instant()));
            sleeps.add(d.toMillis() / 1000.0);
            clock.advance(d);
        };
        PeerProbe peers = asked -> {
            double t = seconds(t0, clock.instant());
            if (t < 90) {
                return List.of();
            }
            NodeStatus zero = t < 94.5 ? PlannerFixtures.waiting(0, PlannerFixtures.state(U1, 50)) : primary(0, U1, 50);
            return List.of(new dev.galeraagent.discovery.PeerStatus.Live(0, "galera-0", URI.create("http://127.0.10.20:" + PORT + "/status"), zero));
        };
        Plan plan = new BootstrapLoop(s, () -> Pods.loopback(s.identity(), 2, "127.0.10.", 20), peers, StateBoard.NONE,
                new PrintWriter(new StringWriter()), clock, sleeper).run();

        assertThat(plan).as(logged::toString).isInstanceOf(Plan.Join.class);
        double decidedAt = seconds(t0, clock.instant());
        assertThat(decidedAt).as("noticed the Primary of 94.5 s within a second").isGreaterThanOrEqualTo(94.5).isLessThanOrEqualTo(95.5);
        for (int i = 0; i < sleeps.size(); i++) {
            double at = sleptAt.get(i);
            if (at < 60) {
                assertThat(sleeps.get(i)).as("the first minute of the wait, at %s s", at).isEqualTo(1.0);
            }
        }
        List<Double> afterTheMinute = new ArrayList<>();
        for (int i = 0; i < sleeps.size() && sleptAt.get(i) < 90; i++) {
            if (sleptAt.get(i) >= 60) {
                afterTheMinute.add(sleeps.get(i));
            }
        }
        assertThat(afterTheMinute).as("an unchanged wait backs off, doubling up to 5 s").containsExactly(2.0, 4.0, 5.0, 5.0, 5.0, 5.0, 5.0);
        assertThat(sleptAt.subList(sleptAt.size() - 3, sleptAt.size())).as("pod 0's state changed the reasons at 91 s: every second again")
                .containsExactly(92.0, 93.0, 94.0);
        assertThat(sleeps.subList(sleeps.size() - 4, sleeps.size())).containsOnly(1.0);
    }

    private static double seconds(java.time.Instant from, java.time.Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
