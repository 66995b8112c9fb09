package dev.galeraagent.probe;

import dev.galeraagent.position.Position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.testing.LocalMariaDb;
import dev.galeraagent.testing.MetricsText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code probe serve}'s HTTP endpoints, asked with a real HTTP client, against a real single-node Galera. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbeServerIT {
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    LocalMariaDb galera;
    Path configDir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startGalera(@TempDir Path shared) throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        galera = LocalMariaDb.create(shared.resolve("galera"), "127.0.30.12", 3306, true, "");
        galera.start();
        ProbeMariaDbIT.createProbeUser(galera);
        ProbeMariaDbIT.awaitSynced(galera);
        configDir = Files.createDirectories(shared.resolve("conf"));
    }

    @AfterAll
    void stopGalera() throws Exception {
        if (galera != null) {
            galera.close();
        }
    }

    ProbeServer server(String host, int port, Duration cache) throws Exception {
        ProbeService service = new ProbeService(
                new MariaDbStatusReader(new MariaDbAccess(host, port, "probe", ProbeMariaDbIT.PASSWORD, TIMEOUT)),
                new NodeFiles(galera.dataDir(), configDir),
                new ProbePolicy(false, Duration.ofSeconds(60), "probe", host + ":" + port),
                cache, TIMEOUT, "9.9.9-test", "galera-1", 1);
        ProbeServer server = new ProbeServer(service, new java.net.InetSocketAddress("127.0.30.12", 0));
        server.start();
        return server;
    }

    HttpResponse<String> get(ProbeServer server, String path) throws Exception {
        URI uri = URI.create("http://127.0.30.12:" + server.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void probesAnswer200WithAOneLineReasonForASyncedPrimary() throws Exception {
        try (ProbeServer server = server(galera.address(), galera.port(), Duration.ofMillis(250))) {
            for (String path : List.of("/live", "/ready", "/startup")) {
                HttpResponse<String> r = get(server, path);
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
                assertThat(r.body()).endsWith("\n").hasLineCount(1);
                assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
            }
            assertThat(get(server, "/ready").body()).isEqualTo("ready: Synced in a Primary component of 1 node(s)\n");
            assertThat(get(server, "/nope").statusCode()).isEqualTo(404);
            assertThat(get(server, "/ready/x").statusCode()).isEqualTo(404);
            assertThat(get(server, "/lively").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void statusServesTheNodeStatusContractWithGrastateAndTheLastDecision() throws Exception {
        Files.writeString(configDir.resolve(HandOff.REQUEST), new HandOff("BOOTSTRAP_FROM_HERE", "galera-1", 1,
                dev.galeraagent.position.Position.parse("position", "6b2f1a4e-0000-11ef-8000-000000000001:42"), null, List.of("highest seqno"), "2026-11-26T10:00:00Z", "9.9.9-test").toJson());
        try (ProbeServer server = server(galera.address(), galera.port(), Duration.ofMillis(250))) {
            HttpResponse<String> r = get(server, "/status");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            NodeStatus s = StatusJson.read(r.body(), NodeStatus.class);
            assertThat(s.agentVersion()).isEqualTo("9.9.9-test");
            assertThat(s.pod()).isEqualTo("galera-1");
            assertThat(s.ready()).isTrue();
            assertThat(s.live()).isTrue();
            assertThat(s.inPrimaryComponent()).isTrue();
            assertThat(s.wsrepLocalStateComment()).isEqualTo("Synced");
            assertThat(s.wsrepClusterSize()).isEqualTo(1);
            assertThat(s.wsrepClusterStateUuid()).isEqualTo(galera.status("wsrep_cluster_state_uuid"));
            assertThat(s.wsrepLastCommitted()).isNotNull();
            assertThat(s.grastate()).as("grastate.dat of a running node").isNotNull();
            assertThat(s.grastate().uuid()).isEqualTo(galera.status("wsrep_cluster_state_uuid"));
            assertThat(s.lastDecision()).isNotNull();
            assertThat(s.lastDecision().decision()).isEqualTo("BOOTSTRAP_FROM_HERE");
            assertThat(s.lastDecision().phase()).isEqualTo("bootstrap-requested");
            assertThat(s.lastDecision().seqno()).isEqualTo(42);
            assertThat(s.lastDecision().reasons()).containsExactly("highest seqno");
            assertThat(s.error()).isNull();
        } finally {
            Files.deleteIfExists(configDir.resolve(HandOff.REQUEST));
        }
    }

    @Test
    void metricsServeWsrepGaugesAndTheAgentsCountersInPrometheusText() throws Exception {
        try (ProbeServer server = server(galera.address(), galera.port(), Duration.ofMillis(250))) {
            get(server, "/ready");
            HttpResponse<String> r = get(server, "/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
            assertThat(r.body())
                    .contains("galera_wsrep_cluster_size 1.0")
                    .contains("galera_wsrep_ready 1.0")
                    .contains("galera_wsrep_connected 1.0")
                    .contains("galera_wsrep_cluster_status_primary 1.0")
                    .contains("galera_wsrep_local_state 4.0")
                    .contains("galera_wsrep_flow_control_paused ")
                    .contains("galera_wsrep_local_recv_queue ")
                    .contains("galera_wsrep_local_send_queue ")
                    .contains("galera_wsrep_last_committed ")
                    .contains("galera_agent_mysqld_up 1.0")
                    .contains("galera_agent_probe_requests_total{path=\"/ready\",result=\"ok\"} 1.0")
                    .contains("galera_agent_query_duration_seconds_count ")
                    .contains("galera_agent_query_errors_total{kind=\"timeout\"} 0.0");
        }
    }

    @Test
    void aHundredConcurrentProbesMakeAtMostAHandfulOfQueries() throws Exception {
        try (ProbeServer server = server(galera.address(), galera.port(), Duration.ofMillis(250))) {
            get(server, "/ready"); // connect first: the driver's own start-up statements are not probes
            Thread.sleep(300);
            long serverBefore = Long.parseLong(galera.status("Com_show_variables"));
            long agentBefore = serverReads(server);
            URI uri = URI.create("http://127.0.30.12:" + server.address().getPort() + "/ready");
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            long serverQueries = Long.parseLong(galera.status("Com_show_variables")) - serverBefore;
            long agentReads = serverReads(server) - agentBefore;
            System.out.println("100 concurrent /ready requests: " + serverQueries + " status read(s) seen by mariadbd");
            assertThat(serverQueries).as("status reads seen by mariadbd for 100 concurrent probes").isBetween(1L, 5L);
            assertThat(agentReads).as("the agent's own count matches the server's").isEqualTo(serverQueries);
        }
    }

    @Test
    void theAlertRulesFixtureDeclaresTheFamiliesOfARealScrapeWithATransferAndALease() throws Exception {
        Path marker = galera.dataDir().resolve("sst_in_progress");
        HandOffLease lease = new HandOffLease("db", "galera-galera-bootstrap", "galera-1", Duration.ofSeconds(60));
        Files.writeString(configDir.resolve(HandOff.REQUEST), new HandOff("BOOTSTRAP_FROM_HERE", "galera-1", 1, null, null,
                List.of("highest seqno"), java.time.Instant.now().toString(), "9.9.9-test").toJson(java.util.Optional.of(lease)));
        Files.writeString(marker, "");
        try (ProbeServer server = server(galera.address(), galera.port(), Duration.ofMillis(250))) {
            for (String path : List.of("/live", "/ready", "/startup")) {
                get(server, path);
            }
            MetricsText live = new MetricsText(get(server, "/metrics").body());
            Path saved = live.saveCapture("sidecar-metrics.txt");
            assertThat(live.text()).contains("galera_agent_state_transfer_started_timestamp_seconds ")
                    .contains("galera_agent_bootstrap_lease_held_since_timestamp_seconds ");
            assertThat(MetricsText.read(MetricsText.fixture("sidecar-metrics.txt")).families())
                    .as("src/test/resources/monitoring/sidecar-metrics.txt must declare what a real scrape declares (fresh capture: %s)", saved)
                    .isEqualTo(live.families());
        } finally {
            Files.deleteIfExists(marker);
            Files.deleteIfExists(configDir.resolve(HandOff.REQUEST));
        }
    }

    private static long serverReads(ProbeServer server) {
        return server.service().metrics().reads();
    }

    @Test
    void aDownServerIsNotReadyButLiveWithinTheGraceAndNotStarted() throws Exception {
        try (ProbeServer server = server("127.0.30.13", 3306, Duration.ofMillis(250))) { // nothing listens there
            HttpResponse<String> ready = get(server, "/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("not ready: mysqld is not answering on 127.0.30.13:3306").hasLineCount(1);
            assertThat(get(server, "/live").statusCode()).isEqualTo(200);
            assertThat(get(server, "/startup").statusCode()).isEqualTo(503);
            NodeStatus s = StatusJson.read(get(server, "/status").body(), NodeStatus.class);
            assertThat(s.ready()).isFalse();
            assertThat(s.wsrepClusterStatus()).isNull();
            assertThat(s.error()).startsWith("down: mysqld is not answering on 127.0.30.13:3306");
            assertThat(get(server, "/metrics").body()).contains("galera_agent_mysqld_up 0.0")
                    .contains("galera_agent_query_errors_total{kind=\"down\"}").doesNotContain("galera_wsrep_cluster_size 1.0");
        }
    }

    private int agent(StringWriter out, String... args) {
        return dev.galeraagent.cli.AgentCommand.execute(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    }

    private String passwordFile() throws Exception {
        Path file = configDir.resolve("probe-password");
        Files.writeString(file, ProbeMariaDbIT.PASSWORD + "\n"); // as a Secret is often written: with a newline
        return file.toString();
    }

    @Test
    void oneShotReadinessWithoutASidecarAsksMariaDbDirectly() throws Exception {
        StringWriter out = new StringWriter();
        int code = agent(out, "probe", "readiness", "--host", galera.address(), "--password-file", passwordFile(),
                "--sidecar", "http://127.0.30.12:1", "--datadir", galera.dataDir().toString());
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).isEqualTo("ready: Synced in a Primary component of 1 node(s)\n");
    }

    @Test
    void oneShotReadinessTakesTheSidecarsAnswerWhenOneRuns() throws Exception {
        try (ProbeServer server = server(galera.address(), galera.port(), Duration.ofMillis(250))) {
            StringWriter out = new StringWriter();
            // the direct route would find nothing on 127.0.30.13: a "ready" can only come from the sidecar
            int code = agent(out, "probe", "readiness", "--host", "127.0.30.13", "--password-file", passwordFile(),
                    "--sidecar", "http://127.0.30.12:" + server.address().getPort());
            assertThat(code).as(out.toString()).isZero();
            assertThat(out.toString()).isEqualTo("ready: Synced in a Primary component of 1 node(s)\n");
        }
    }

    @Test
    void oneShotReadinessPassesOnTheSidecarsFailureAndItsReason() throws Exception {
        try (ProbeServer server = server("127.0.30.13", 3306, Duration.ofMillis(250))) {
            StringWriter out = new StringWriter();
            // the sidecar watches a dead address, the direct route the live server: a failure can only come from the sidecar
            int code = agent(out, "probe", "readiness", "--host", galera.address(), "--password-file", passwordFile(),
                    "--sidecar", "http://127.0.30.12:" + server.address().getPort());
            assertThat(code).isEqualTo(1);
            assertThat(out.toString()).startsWith("not ready: mysqld is not answering on 127.0.30.13:3306").hasLineCount(1);
        }
    }

    @Test
    void oneShotChecksOfADownServerFailReadinessAndStartupButNotLiveness() throws Exception {
        String[] common = {"--host", "127.0.30.13", "--sidecar", "none", "--datadir", configDir.toString()};
        StringWriter out = new StringWriter();
        assertThat(agent(out, concat(new String[] {"probe", "readiness"}, common))).isEqualTo(1);
        assertThat(out.toString()).startsWith("not ready: mysqld is not answering on 127.0.30.13:3306").hasLineCount(1);
        out = new StringWriter();
        assertThat(agent(out, concat(new String[] {"probe", "startup"}, common))).isEqualTo(1);
        assertThat(out.toString()).startsWith("not started: ");
        out = new StringWriter();
        assertThat(agent(out, concat(new String[] {"probe", "liveness"}, common))).as(out.toString()).isZero();
        assertThat(out.toString()).contains("within the 60s start-up grace");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
