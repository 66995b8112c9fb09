package dev.galeraagent.bootstrap;

import com.sun.net.httpserver.HttpExchange;
import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.http.HardenedHttp;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.status.Version;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The small {@code /status} server of a waiting {@code agent bootstrap}: it answers with this pod's
 * published state as {@code last_decision}, so peers without the API can hold the election (rule 9).
 * On {@code /metrics}, on the port the sidecar takes over later, it tells Prometheus since when this
 * bootstrap has been running: a bootstrap waiting for a missing peer or a person is the one state
 * of a pod that no sidecar can report, as the sidecar only starts after it.
 * It runs under the limits of {@link HardenedHttp}: a slow client parks only its own virtual thread,
 * so it cannot silence the answers peers count on.
 */
public final class StatusServer implements AutoCloseable {
    private static final Log LOG = Log.of("bootstrap");
    private final HardenedHttp.Server server;
    private final AtomicReference<NodeStatus> current;

    private StatusServer(HardenedHttp.Server server, AtomicReference<NodeStatus> current) {
        this.server = server;
        this.current = current;
    }

    /** What a waiting bootstrap answers on /status: no wsrep fields, not ready, live, and its published state. */
    static NodeStatus waiting(PodIdentity id, DataDirState dir, PublishedState own) {
        NodeStatus.Grastate g = dir == null ? null : dir.grastate()
                .map(x -> new NodeStatus.Grastate(x.uuid().toString(), x.seqno(), x.safeToBootstrap())).orElse(null);
        return new NodeStatus(Version.get(), id.podName(), id.ordinal(), null, null, null, null, null, null, null,
                false, true, "agent bootstrap: " + own.phase(), g, own, null);
    }

    public static StatusServer start(String bindAddress, int port, NodeStatus initial) throws IOException {
        HardenedHttp.Server server = HardenedHttp.create(new InetSocketAddress(bindAddress, port));
        AtomicReference<NodeStatus> current = new AtomicReference<>(initial);
        server.http().createContext("/status", exchange -> {
            try (exchange) {
                answer(exchange, current.get());
            } catch (RuntimeException e) {
                LOG.error("request to /status failed", e);
            }
        });
        byte[] metrics = metrics(Instant.now());
        server.http().createContext("/metrics", exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
                exchange.sendResponseHeaders(200, metrics.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(metrics);
                }
            } catch (RuntimeException e) {
                LOG.error("request to /metrics failed", e);
            }
        });
        server.http().start();
        return new StatusServer(server, current);
    }

    private static void answer(HttpExchange exchange, NodeStatus status) throws IOException {
        if (HardenedHttp.announcesBody(exchange)) {
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(413, -1);
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        byte[] body = StatusJson.write(status).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] metrics(Instant started) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        GaugeWithCallback.builder().name("galera_agent_bootstrap_waiting_since_timestamp_seconds")
                .help("When this agent bootstrap started; present only while it runs, before mariadbd starts")
                .callback(cb -> cb.call(started.toEpochMilli() / 1000.0)).register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toByteArray();
    }

    public void update(NodeStatus status) {
        current.set(status);
    }

    public int port() {
        return server.http().getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(Duration.ZERO);
    }
}
