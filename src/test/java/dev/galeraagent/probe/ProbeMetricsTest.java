package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeMetricsTest {
    @TempDir
    Path dir;

    String scrape(ProbeMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theStateTransferAndTheLeaseAreExposedAsTheInstantsTheyBeganAndOnlyWhileTheyLast() throws Exception {
        ProbeMetrics metrics = new ProbeMetrics(() -> new Observation.Answered(Map.of("wsrep_cluster_status", "non-Primary")),
                new NodeFiles(dir, dir));
        assertThat(scrape(metrics))
                .doesNotContain("galera_agent_state_transfer_started_timestamp_seconds ")
                .doesNotContain("galera_agent_bootstrap_lease_held_since_timestamp_seconds ")
                .contains("galera_wsrep_cluster_status_primary 0.0");

        Files.writeString(dir.resolve("sst_in_progress"), "");
        Files.setLastModifiedTime(dir.resolve("sst_in_progress"), FileTime.from(Instant.parse("2026-11-26T10:00:00.500Z")));
        HandOffLease lease = new HandOffLease("db", "galera-galera-bootstrap", "galera-0", Duration.ofSeconds(60));
        Files.writeString(dir.resolve(HandOff.REQUEST), new HandOff("BOOTSTRAP_FROM_HERE", "galera-0", 0, null, null, List.of(),
                "2026-11-26T09:59:00Z", "1.0").toJson(Optional.of(lease)));
        String text = scrape(metrics);
        assertThat(text)
                .contains("galera_agent_state_transfer_started_timestamp_seconds 1.7956872005E9")
                .contains("galera_agent_bootstrap_lease_held_since_timestamp_seconds 1.79568714E9");

        Files.delete(dir.resolve("sst_in_progress"));
        HandOff.complete(dir);
        assertThat(scrape(metrics))
                .doesNotContain("galera_agent_state_transfer_started_timestamp_seconds ")
                .doesNotContain("galera_agent_bootstrap_lease_held_since_timestamp_seconds ");
    }

    @Test
    void theTimesToPrimaryAndToSyncedAppearOnceAReadSawThemAndStayFixed() throws Exception {
        ProbeMetrics metrics = new ProbeMetrics(() -> null, new NodeFiles(dir, dir));
        assertThat(scrape(metrics)).doesNotContain("galera_agent_start_to_primary_seconds ").doesNotContain("galera_agent_start_to_synced_seconds ");

        metrics.read(new StatusCache.Snapshot(new Observation.Answered(Map.of("wsrep_cluster_status", "Primary", "wsrep_local_state", "2")),
                System.nanoTime(), Duration.ofMillis(1), Duration.ZERO));
        String first = scrape(metrics);
        assertThat(first).contains("galera_agent_start_to_primary_seconds ").doesNotContain("galera_agent_start_to_synced_seconds ");

        metrics.read(new StatusCache.Snapshot(new Observation.Answered(Map.of("wsrep_cluster_status", "Primary", "wsrep_local_state", "4")),
                System.nanoTime(), Duration.ofMillis(1), Duration.ZERO));
        String second = scrape(metrics);
        assertThat(value(second, "galera_agent_start_to_primary_seconds")).isEqualTo(value(first, "galera_agent_start_to_primary_seconds"));
        assertThat(value(second, "galera_agent_start_to_synced_seconds")).isGreaterThanOrEqualTo(value(second, "galera_agent_start_to_primary_seconds"));
    }

    static double value(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).map(l -> Double.parseDouble(l.substring(name.length() + 1).strip()))
                .findFirst().orElseThrow();
    }
}
