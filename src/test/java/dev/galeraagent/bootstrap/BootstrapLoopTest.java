package dev.galeraagent.bootstrap;

import static dev.galeraagent.bootstrap.PlannerFixtures.U1;
import static dev.galeraagent.bootstrap.PlannerFixtures.U2;
import static dev.galeraagent.bootstrap.PlannerFixtures.primary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.cli.AgentException;
import dev.galeraagent.cli.ExitCode;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.galera.Position;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
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
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void captureLog() {
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
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
        Identity id = Identity.of("galera-" + ordinal, "default", "galera", "cluster.local", Optional.of(podIp));
        return new BootstrapSettings(id, replicas, datadir, tmp.resolve(name).resolve("conf"), "galera.cnf", Optional.empty(), Optional.empty(),
                Optional.empty(), "galera", "rsync", "/usr/lib/galera/libgalera_smm.so", mariadbd, Duration.ofSeconds(10), timeout, statusPort,
                "0.0.0.0", false, PlannerInput.majority(replicas), false, Optional.empty());
    }

    /** Peers at 127.0.10.2x, so the tests reach real HTTP servers without DNS. */
    private static PeerDirectory loopbackPeers(int replicas) {
        return () -> {
            List<Peer> peers = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                peers.add(new Peer(i, "127.0.10." + (20 + i)));
            }
            return peers;
        };
    }

    private static BootstrapLoop loop(BootstrapSettings s) {
        return new BootstrapLoop(s, loopbackPeers(s.replicas()), new HttpPeerProbe(PORT, Duration.ofMillis(500)), StateBoard.NONE,
                new PrintWriter(new StringWriter()));
    }

    @Test
    void joinsALivePrimaryAndStartsFromTheRecoveredPosition() throws Exception {
        peer("127.0.10.20", primary(0, U1, 60));
        Path data = datadir("p1", Optional.of(grastate(U1, -1, false)));
        BootstrapSettings s = settings("p1", 1, 3, data, "127.0.10.21", fakeMariadbd(U1 + ":57").toString(), Duration.ofSeconds(10), 0);
        Plan plan = loop(s).run();
        assertThat(plan).isInstanceOfSatisfying(Plan.Join.class, j -> assertThat(j.startPosition()).contains(new Position(U1, 57)));
        String cnf = Files.readString(s.configFile());
        assertThat(cnf).as("gcomm:// lists every peer the directory gives").contains("wsrep_cluster_address = gcomm://127.0.10.20:4567,127.0.10.21:4567,127.0.10.22:4567\n");
        assertThat(cnf).contains("wsrep_node_address = 127.0.10.21").contains("server_id = 2").doesNotContain("wsrep_new_cluster");
        assertThat(Files.readString(s.oneShotDir().resolve("bootstrap.cnf"))).contains("wsrep_start_position = " + U1 + ":57")
                .doesNotContain("wsrep_new_cluster");
        assertThat(Files.exists(s.configDir().resolve(HandOff.REQUEST))).isFalse();
        assertThat(logged.toString()).contains("decision JOIN: pods [0] are in a live Primary component");
    }

    @Test
    void podZeroStartsANewClusterWithAHandOffThatTheSidecarCompletes() throws Exception {
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
        assertThat(HandOff.pending(s.configDir()).orElseThrow().position()).isEqualTo(U1 + ":3000000000");
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
        assertThat(logged.toString()).contains("waiting: waiting for pod 1 to bootstrap, then joining it (rule 4)");
    }
}
