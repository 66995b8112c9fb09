package dev.galeraagent.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult.Resolved;
import dev.galeraagent.discovery.DiscoveryResult.Unresolved;
import dev.galeraagent.discovery.PeerStatusClient.Endpoint;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.testing.LocalDnsmasq;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PeerStatusClient against real JDK HTTP servers on loopback that answer well, badly, or not at all. */
class PeerStatusClientIT {
    private static final String UUID = "6d4e5a5f-0f4e-11ef-9c8e-7b1c3f0e2a11";
    private static final NodeStatus SYNCED = synced("galera-1", 1, UUID);

    private static NodeStatus synced(String pod, Integer ordinal, String uuid) {
        return new NodeStatus("0.1.0", pod, ordinal, "Primary", "Synced", uuid, 4_294_967_296L, 3, true, true, true, true, "synced", null, null,
                null);
    }

    private final List<HttpServer> servers = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final PeerStatusClient client = new PeerStatusClient();

    @AfterEach
    void stopServers() {
        release.countDown();
        client.close();
        servers.forEach(s -> s.stop(0));
    }

    private Endpoint serve(String address, int ordinal, HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/status", handler);
        server.start();
        servers.add(server);
        return new Endpoint(ordinal, "galera-" + ordinal + ".galera.prod.svc.cluster.local", server.getAddress().getAddress(),
                server.getAddress().getPort());
    }

    private static HttpHandler answer(int code, String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    private HttpHandler hang() {
        return exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        };
    }

    @Test
    void aPeerServingNodeStatusIsLiveWithItsStatus() throws Exception {
        Endpoint peer = serve("127.0.20.21", 1, answer(200, StatusJson.write(SYNCED)));

        PeerStatus result = client.fetch(peer);

        assertThat(result).isInstanceOfSatisfying(PeerStatus.Live.class, live -> {
            assertThat(live.status()).isEqualTo(SYNCED);
            assertThat(live.status().inPrimaryComponent()).isTrue();
            assertThat(live.uri().toString()).isEqualTo("http://127.0.20.21:" + peer.port() + "/status");
        });
        assertThat(result.summary()).isEqualTo("galera-1 live Primary/Synced seqno 4294967296");
    }

    @Test
    void unknownFieldsFromANewerAgentAreIgnored() throws Exception {
        String json = StatusJson.write(SYNCED).replaceFirst("\\{", "{\"some_future_field\":[1,2],");
        Endpoint peer = serve("127.0.20.21", 1, answer(200, json));

        assertThat(client.fetch(peer)).isInstanceOf(PeerStatus.Live.class);
    }

    @Test
    void aPeerThatHangsIsNotLiveAfterTheTotalTimeout() throws Exception {
        Endpoint peer = serve("127.0.20.22", 2, hang());

        long start = System.nanoTime();
        PeerStatus result = client.fetch(peer);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result).isInstanceOfSatisfying(PeerStatus.NotLive.class,
                n -> assertThat(n.reason()).isEqualTo("no answer within 1000 ms"));
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(1800));
        assertThat(result.summary()).isEqualTo("galera-2 not live: no answer within 1000 ms");
    }

    @Test
    void aBodyThatNeverFinishesIsNotLiveAfterTheTotalTimeout() throws Exception {
        Endpoint peer = serve("127.0.20.22", 2, exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("{\"ready\":".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            hang().handle(exchange);
        });

        long start = System.nanoTime();
        PeerStatus result = client.fetch(peer);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result).isInstanceOfSatisfying(PeerStatus.NotLive.class,
                n -> assertThat(n.reason()).isEqualTo("no complete answer within 1000 ms"));
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(1800));
    }

    @Test
    void aPeerAnswering500IsNotLive() throws Exception {
        Endpoint peer = serve("127.0.20.23", 0, answer(500, "mysqld is down"));

        assertThat(client.fetch(peer)).isInstanceOfSatisfying(PeerStatus.NotLive.class,
                n -> assertThat(n.reason()).isEqualTo("HTTP 500"));
    }

    @Test
    void aPeerAnsweringGarbageIsNotLive() throws Exception {
        Endpoint garbage = serve("127.0.20.23", 0, answer(200, "<html>\nhello</html>"));
        Endpoint empty = serve("127.0.20.23", 1, answer(200, ""));
        Endpoint jsonNull = serve("127.0.20.23", 2, answer(200, "null"));
        Endpoint wrongType = serve("127.0.20.23", 3, answer(200, "{\"wsrep_last_committed\":\"lots\"}"));

        List<PeerStatus> results = client.fetchEndpoints(List.of(garbage, empty, jsonNull, wrongType));

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(PeerStatus.NotLive.class, n -> {
            assertThat(n.reason()).doesNotContain("\n").isNotBlank();
        }));
        assertThat(((PeerStatus.NotLive) results.get(0)).reason()).startsWith("not a valid NodeStatus document");
        assertThat(results).extracting(PeerStatus::ordinal).containsExactly(0, 1, 2, 3);
    }

    @Test
    void anOversizedBodyIsNotLive() throws Exception {
        String huge = "{\"pod\":\"" + "x".repeat(PeerStatusClient.MAX_BODY) + "\"}";
        Endpoint peer = serve("127.0.20.23", 0, answer(200, huge));

        assertThat(client.fetch(peer)).isInstanceOfSatisfying(PeerStatus.NotLive.class,
                n -> assertThat(n.reason()).isEqualTo("status document larger than " + PeerStatusClient.MAX_BODY + " bytes"));
    }

    @Test
    void aClosedPortIsNotLiveAtOnce() throws Exception {
        int port = LocalDnsmasq.freePort("127.0.20.24");
        long start = System.nanoTime();
        PeerStatus result = client.fetch(new Endpoint(2, "galera-2", InetAddress.getByName("127.0.20.24"), port));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result).isInstanceOfSatisfying(PeerStatus.NotLive.class,
                n -> assertThat(n.reason()).isEqualTo("connection refused"));
        assertThat(took).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void manySilentPeersCostOneTimeoutNotOneEach() throws Exception {
        List<Endpoint> endpoints = new ArrayList<>();
        endpoints.add(serve("127.0.20.25", 0, answer(200, StatusJson.write(synced("galera-0", 0, UUID)))));
        for (int i = 1; i <= 6; i++) {
            endpoints.add(serve("127.0.20.25", i, hang()));
        }

        long start = System.nanoTime();
        List<PeerStatus> results = client.fetchEndpoints(endpoints);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).as("six hanging peers asked at once").isLessThan(Duration.ofMillis(1900));
        assertThat(results.getFirst()).isInstanceOf(PeerStatus.Live.class);
        assertThat(results.subList(1, 7)).allMatch(r -> !r.live());
    }

    @Test
    void fetchAllAsksResolvedPeersAndReportsUnresolvedOnesWithTheirDnsFailure() throws Exception {
        Endpoint live = serve("127.0.20.26", 0, answer(200, StatusJson.write(synced("galera-0", 0, UUID))));
        List<PeerDns> peers = List.of(
                new PeerDns(0, "galera-0.galera.prod.svc.cluster.local", new Resolved(List.of(live.address()))),
                new PeerDns(1, "galera-1.galera.prod.svc.cluster.local", new Unresolved(DnsFailure.NXDOMAIN, "NXDOMAIN", 2)),
                new PeerDns(2, "galera-2.galera.prod.svc.cluster.local", new Unresolved(DnsFailure.TIMEOUT, "no answer", 8)));

        List<PeerStatus> results = client.fetchAll(peers, live.port());

        assertThat(results).extracting(PeerStatus::ordinal).containsExactly(0, 1, 2);
        assertThat(results.get(0)).isInstanceOf(PeerStatus.Live.class);
        assertThat(results.get(1)).isEqualTo(new PeerStatus.NotLive(1, "galera-1.galera.prod.svc.cluster.local", null,
                "name not resolved: NXDOMAIN"));
        assertThat(results.get(2).summary()).isEqualTo("galera-2 not live: name not resolved: TIMEOUT");
    }

    @Test
    void aPeerWhoseAgentWaitsWithoutWsrepIsLiveButNotPrimary() throws Exception {
        NodeStatus waiting = new NodeStatus("0.1.0", "galera-0", 0, null, null, null, null, null, null, null,
                false, true, "bootstrap waiting", null, null, null);
        Endpoint peer = serve("127.0.20.21", 0, answer(200, StatusJson.write(waiting)));

        PeerStatus result = client.fetch(peer);

        assertThat(result).isInstanceOfSatisfying(PeerStatus.Live.class, l -> assertThat(l.status().inPrimaryComponent()).isFalse());
        assertThat(result.summary()).isEqualTo("galera-0 live (no wsrep status)");
    }

    @Test
    void aPeerThatDoesNotAcceptTheConnectionIsNotLiveAfterTheConnectTimeout() throws Exception {
        // a listener that never accepts, with its backlog filled, makes the kernel drop further SYNs
        InetAddress address = InetAddress.getByName("127.0.20.27");
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, address)) {
            for (int i = 0; i < 4; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(full.getLocalSocketAddress(), 200);
                } catch (IOException dropped) {
                    break;
                }
            }
            long start = System.nanoTime();
            PeerStatus result = client.fetch(new Endpoint(1, "galera-1", address, full.getLocalPort()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(result).isInstanceOfSatisfying(PeerStatus.NotLive.class,
                    n -> assertThat(n.reason()).isEqualTo("no connection within the connect timeout"));
            assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(950));
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    /** What galera-1's address answered, when it was asked as galera-1. */
    private PeerStatus askGalera1(NodeStatus answer) throws Exception {
        return client.fetch(serve("127.0.20.28", 1, answer(200, StatusJson.write(answer))));
    }

    private static void assertNotLiveBecause(PeerStatus result, String reason) {
        assertThat(result).isInstanceOfSatisfying(PeerStatus.NotLive.class, n -> assertThat(n.reason()).isEqualTo(reason));
    }

    @Test
    void anAnswerNamingAnotherPodIsNotLive() throws Exception {
        assertNotLiveBecause(askGalera1(synced("galera-2", 2, UUID)), "answer not trusted: it says pod 'galera-2', but galera-1 was asked");
        assertNotLiveBecause(askGalera1(synced("other-1", 1, UUID)), "answer not trusted: it says pod 'other-1', but galera-1 was asked");
    }

    @Test
    void anAnswerWithTheRightPodButAnotherOrdinalIsNotLive() throws Exception {
        assertNotLiveBecause(askGalera1(synced("galera-1", 0, UUID)), "answer not trusted: it says ordinal 0, but galera-1 has ordinal 1");
    }

    @Test
    void anAnswerWithoutPodOrOrdinalIsNotLive() throws Exception {
        assertNotLiveBecause(askGalera1(synced(null, 1, UUID)), "answer not trusted: it says pod none, but galera-1 was asked");
        assertNotLiveBecause(askGalera1(synced("galera-1", null, UUID)), "answer not trusted: it says ordinal null, but galera-1 has ordinal 1");
    }

    @Test
    void aPrimaryClaimWithoutAValidClusterUuidIsNotLive() throws Exception {
        assertNotLiveBecause(askGalera1(synced("galera-1", 1, null)),
                "answer not trusted: it claims a Primary component without a valid cluster uuid (none)");
        assertNotLiveBecause(askGalera1(synced("galera-1", 1, "not-a-uuid\nforged line")),
                "answer not trusted: it claims a Primary component without a valid cluster uuid ('not-a-uuid?forged line')");
        assertNotLiveBecause(askGalera1(synced("galera-1", 1, "00000000-0000-0000-0000-000000000000")),
                "answer not trusted: it claims a Primary component without a valid cluster uuid ('00000000-0000-0000-0000-000000000000')");
    }

    @Test
    void aTruthfulAnswerAfterALieCountsAgain() throws Exception {
        assertThat(askGalera1(synced("galera-2", 2, UUID)).live()).isFalse();
        assertThat(askGalera1(SYNCED)).isInstanceOfSatisfying(PeerStatus.Live.class, l -> assertThat(l.status().inPrimaryComponent()).isTrue());
    }
}
