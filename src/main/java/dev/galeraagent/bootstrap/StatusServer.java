package dev.galeraagent.bootstrap;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The small {@code /status} server of a waiting {@code agent bootstrap}: it answers with this pod's
 * published state as {@code last_decision}, so peers without the API can hold the election (rule 9).
 */
public final class StatusServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<NodeStatus> current;

    private StatusServer(HttpServer server, AtomicReference<NodeStatus> current) {
        this.server = server;
        this.current = current;
    }

    public static StatusServer start(String bindAddress, int port, NodeStatus initial) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 8);
        AtomicReference<NodeStatus> current = new AtomicReference<>(initial);
        server.createContext("/status", exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = StatusJson.write(current.get()).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return new StatusServer(server, current);
    }

    public void update(NodeStatus status) {
        current.set(status);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
