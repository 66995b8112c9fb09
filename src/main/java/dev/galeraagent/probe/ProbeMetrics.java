package dev.galeraagent.probe;

import dev.galeraagent.probe.Observation.Answered;
import dev.galeraagent.probe.Observation.Failed;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The sidecar's Prometheus metrics: wsrep gauges read from the latest snapshot at scrape time (absent
 * while mysqld does not answer), and the agent's own counters. Written with the Prometheus Java client.
 */
final class ProbeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Counter queryErrors;
    private final Histogram queryDuration;
    private final RecoveryTimes recovery = RecoveryTimes.sinceProcessStart();

    public ProbeMetrics(Supplier<Observation> latest, NodeFiles files) {
        requests = Counter.builder().name("galera_agent_probe_requests")
                .help("HTTP requests served by probe serve, by path and result (ok, fail, error)")
                .labelNames("path", "result").withoutExemplars().register(registry);
        queryErrors = Counter.builder().name("galera_agent_query_errors")
                .help("Reads of mysqld's status that failed, by kind (down, timeout, access_denied, server_error)")
                .labelNames("kind").withoutExemplars().register(registry);
        for (Observation.Failure kind : Observation.Failure.values()) {
            queryErrors.initLabelValues(kind.name().toLowerCase(Locale.ROOT)); // a rate() needs the zero before the first error
        }
        queryDuration = Histogram.builder().name("galera_agent_query_duration_seconds")
                .help("Time to read mysqld's wsrep status, connection included when one was made")
                .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("galera_agent_mysqld_up")
                .help("1 when mysqld answered the last status read, 0 when it did not")
                .callback(cb -> cb.call(latest.get() instanceof Answered ? 1 : 0)).register(registry);
        wsrep(latest, "galera_wsrep_cluster_size", "Nodes in the cluster component (wsrep_cluster_size)", "wsrep_cluster_size");
        wsrep(latest, "galera_wsrep_local_state", "Galera local state: 1 joining, 2 donor/desynced, 3 joined, 4 synced (wsrep_local_state)",
                "wsrep_local_state");
        wsrep(latest, "galera_wsrep_flow_control_paused", "Fraction of time paused by flow control (wsrep_flow_control_paused)",
                "wsrep_flow_control_paused");
        wsrep(latest, "galera_wsrep_local_recv_queue", "Write-sets waiting to be applied (wsrep_local_recv_queue)", "wsrep_local_recv_queue");
        wsrep(latest, "galera_wsrep_local_send_queue", "Write-sets waiting to be sent (wsrep_local_send_queue)", "wsrep_local_send_queue");
        wsrep(latest, "galera_wsrep_last_committed", "Seqno of the last committed write-set (wsrep_last_committed)", "wsrep_last_committed");
        flag(latest, "galera_wsrep_ready", "1 when wsrep_ready=ON", "wsrep_ready", "ON");
        flag(latest, "galera_wsrep_connected", "1 when wsrep_connected=ON", "wsrep_connected", "ON");
        flag(latest, "galera_wsrep_cluster_status_primary", "1 when wsrep_cluster_status=Primary", "wsrep_cluster_status", "Primary");
        // instants, not durations: Prometheus computes the age with time(), and a scrape missed is no gap in it
        since("galera_agent_state_transfer_started_timestamp_seconds",
                "When the state transfer under way started (the SST markers in the data directory); absent without one",
                files::stateTransferStarted);
        since("galera_agent_bootstrap_lease_held_since_timestamp_seconds",
                "Since when this pod holds the bootstrap Lease (a pending bootstrap-request.json naming one); absent otherwise",
                files::bootstrapLeaseHeldSince);
        // durations, unlike the instants above: each is fixed once reached and tells how long the pod's start took
        duration("galera_agent_start_to_primary_seconds", "Seconds from the start of this pod's main containers (mariadbd and this sidecar)"
                + " to the first status read that saw wsrep_cluster_status=Primary; absent until then", recovery::toPrimary);
        duration("galera_agent_start_to_synced_seconds", "Seconds from the start of this pod's main containers (mariadbd and this sidecar)"
                + " to the first status read that saw the node Synced (wsrep_local_state 4); absent until then", recovery::toSynced);
    }

    private void duration(String name, String help, Supplier<Optional<Duration>> d) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> d.get().ifPresent(x -> cb.call(x.toNanos() / 1e9))).register(registry);
    }

    private void since(String name, String help, Supplier<Optional<Instant>> instant) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> instant.get().ifPresent(i -> cb.call(i.toEpochMilli() / 1000.0))).register(registry);
    }

    private void wsrep(Supplier<Observation> latest, String name, String help, String variable) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            if (latest.get() instanceof Answered a && a.get(variable) != null) {
                try {
                    cb.call(Double.parseDouble(a.get(variable).strip()));
                } catch (NumberFormatException e) {
                    // a value Galera did not fill in (empty during start-up) is left out, not reported as 0
                }
            }
        }).register(registry);
    }

    private void flag(Supplier<Observation> latest, String name, String help, String variable, String on) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            if (latest.get() instanceof Answered a && a.get(variable) != null) {
                cb.call(on.equalsIgnoreCase(a.get(variable)) ? 1 : 0);
            }
        }).register(registry);
    }

    /** Counts one served request. */
    public void request(String path, String result) {
        requests.labelValues(path, result).inc();
    }

    /** Records one status read (called by the cache's worker). */
    public void read(StatusCache.Snapshot s) {
        queryDuration.observe(s.latency().toNanos() / 1e9);
        recovery.observe(s.observation(), s.takenNanos());
        if (s.observation() instanceof Failed f) {
            queryErrors.labelValues(f.failure().name().toLowerCase(Locale.ROOT)).inc();
        }
    }

    /** Total status reads so far (tests compare it with the server's own query counter). */
    public long reads() {
        return queryDuration.collect().getDataPoints().getFirst().getCount();
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
