package dev.galeraagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.testing.MetricsText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StatusServerTest {
    @Test
    void metricsSayWhenTheWaitingBootstrapStartedOnTheSidecarsPort() throws Exception {
        Instant before = Instant.now();
        NodeStatus waiting = new NodeStatus("1.0", "galera-0", 0, null, null, null, null, null, null, null, false, false,
                "bootstrapping", null, null, null);
        try (StatusServer server = StatusServer.start("127.0.0.1", 0, waiting);
                HttpClient http = HttpClient.newHttpClient()) {
            Instant after = Instant.now();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
            Matcher m = Pattern.compile("(?m)^galera_agent_bootstrap_waiting_since_timestamp_seconds (\\S+)$").matcher(r.body());
            assertThat(m.find()).as(r.body()).isTrue();
            double since = Double.parseDouble(m.group(1));
            assertThat(since).isBetween(before.toEpochMilli() / 1000.0, after.toEpochMilli() / 1000.0);
            MetricsText live = new MetricsText(r.body());
            Path saved = live.saveCapture("bootstrap-metrics.txt");
            assertThat(MetricsText.read(MetricsText.fixture("bootstrap-metrics.txt")).families())
                    .as("src/test/resources/monitoring/bootstrap-metrics.txt must declare what a real scrape declares (fresh capture: %s)", saved)
                    .isEqualTo(live.families());
        }
    }
}
