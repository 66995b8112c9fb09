package dev.galeraagent.bootstrap;

import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@link PeerProbe} over HTTP with short timeouts, all peers asked at once; anything but a readable 200 is "not live". */
public final class HttpPeerProbe implements PeerProbe {
    private final int port;
    private final Duration timeout;
    private final HttpClient client;

    public HttpPeerProbe(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Map<Integer, NodeStatus> statuses(List<Peer> peers) {
        Map<Integer, CompletableFuture<NodeStatus>> pending = new HashMap<>();
        for (Peer p : peers) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + p.host() + ":" + port + "/status")).timeout(timeout).GET().build();
            pending.put(p.ordinal(), client.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() == 200 ? StatusJson.read(r.body(), NodeStatus.class) : null)
                    .exceptionally(e -> null));
        }
        Map<Integer, NodeStatus> result = new HashMap<>();
        pending.forEach((ordinal, f) -> {
            NodeStatus s = f.join();
            if (s != null) {
                result.put(ordinal, s);
            }
        });
        return result;
    }
}
