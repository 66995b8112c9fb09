package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sidecar's HTTP rules and its background-task hook, with a source the test controls (no MariaDB needed). */
class ProbeServerTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void restoreLog() {
        Log.setOutput(System.err);
    }

    private ProbeServer server(StatusSource source) throws Exception {
        Log.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
        ProbeService service = new ProbeService(source, new NodeFiles(null, null),
                new ProbePolicy(false, Duration.ofSeconds(60), "probe", "127.0.30.31:3306"), Duration.ofMillis(250), Duration.ofSeconds(1),
                "test", null, null);
        ProbeServer server = new ProbeServer(service, new InetSocketAddress("127.0.30.31", 0));
        server.start();
        return server;
    }

    private static StatusSource synced() {
        return new StatusSource() {
            @Override
            public Observation read() {
                return new Observation.Answered(Map.of("wsrep_on", "ON", "wsrep_local_state_comment", "Synced", "wsrep_cluster_status", "Primary",
                        "wsrep_connected", "ON", "wsrep_ready", "ON", "wsrep_cluster_size", "3"));
            }

            @Override
            public void close() {
            }
        };
    }

    private HttpResponse<String> send(ProbeServer server, String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.30.31:" + server.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBugWhileAnsweringGives500AndTheStackTraceInTheLog() throws Exception {
        StatusSource absurd = new StatusSource() {
            @Override
            public Observation read() {
                // a size no int holds: rendering /status throws, as any bug in a verdict or renderer would
                return new Observation.Answered(Map.of("wsrep_on", "ON", "wsrep_local_state_comment", "Synced", "wsrep_cluster_status", "Primary",
                        "wsrep_connected", "ON", "wsrep_ready", "ON", "wsrep_cluster_size", "99999999999"));
            }

            @Override
            public void close() {
            }
        };
        try (ProbeServer server = server(absurd)) {
            HttpResponse<String> status = send(server, "GET", "/status");
            assertThat(status.statusCode()).isEqualTo(500);
            assertThat(status.body()).isEqualTo("internal error: see the sidecar's log\n");
            assertThat(send(server, "GET", "/live").statusCode()).as("the other paths still answer").isEqualTo(200);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("ERROR [probe] request to /status failed: java.lang.ArithmeticException")
                .contains("\tat dev.galeraagent.probe.ProbeService.status(");
    }

    @Test
    void aRequestWithABodyIsRefusedWith413() throws Exception {
        try (ProbeServer server = server(synced())) {
            URI uri = URI.create("http://127.0.30.31:" + server.address().getPort() + "/ready");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).method("GET", HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
        }
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        try (ProbeServer server = server(synced())) {
            HttpResponse<String> post = send(server, "POST", "/ready");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
            HttpResponse<String> head = send(server, "HEAD", "/ready");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(send(server, "GET", "/ready").body()).isEqualTo("ready: Synced in a Primary component of 3 node(s)\n");
        }
    }

    @Test
    void aScheduledTaskRunsRepeatedlyOutlivesItsFailuresAndStopsWithTheServer() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ProbeServer server = server(synced());
        try {
            server.schedule("test-task", Duration.ofMillis(20), () -> {
                int run = runs.incrementAndGet();
                if (run == 3) {
                    throw new NoClassDefFoundError("io/fabric8/Missing");
                }
                if (run % 2 == 0) {
                    throw new IllegalStateException("boom " + run);
                }
            });
            for (int i = 0; i < 200 && runs.get() < 5; i++) {
                Thread.sleep(10);
            }
            assertThat(runs.get()).isGreaterThanOrEqualTo(5);
        } finally {
            server.close();
        }
        int afterClose = runs.get();
        Thread.sleep(100);
        assertThat(runs.get()).isEqualTo(afterClose);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("test-task failed: boom 2")
                .contains("test-task failed: java.lang.NoClassDefFoundError: io/fabric8/Missing").contains("probe serve stopped");
    }
}
