package dev.galeraagent.discovery;

import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult.Unresolved;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Asks peers' agents for {@code GET /status} over plain HTTP, all at once, so that N silent peers cost
 * one timeout rather than N. Never throws for a peer's failure: each answer is a {@link PeerStatus}. An answer counts
 * only when it names the pod and ordinal asked, and a Primary claim carries a valid cluster uuid; anything else is
 * {@link PeerStatus.NotLive} with why.
 * Close it when done (it owns an {@link HttpClient}).
 */
public final class PeerStatusClient implements AutoCloseable {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(500);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(1);
    /** A status document is a few hundred bytes; anything much larger is not one. */
    static final int MAX_BODY = 256 * 1024;

    private static final Log LOG = Log.of("discovery");
    private static final Pattern CLUSTER_UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String NIL_UUID = "00000000-0000-0000-0000-000000000000";

    private final HttpClient http;
    private final Duration totalTimeout;
    /** By peer name: the last reason its answer was not trusted, so the warning is not repeated every round. */
    private final Map<String, String> lastUntrusted = new ConcurrentHashMap<>();

    /** A peer to ask: its ordinal and name (for the result) and the address and port to connect to. */
    public record Endpoint(int ordinal, String peer, InetAddress address, int port) {
    }

    /** Connect timeout 500 ms, whole request 1 s. */
    public PeerStatusClient() {
        this(DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT);
    }

    /**
     * @param connectTimeout how long to wait for the TCP connection
     * @param totalTimeout   how long the whole request may take, connection and body included
     */
    public PeerStatusClient(Duration connectTimeout, Duration totalTimeout) {
        this.totalTimeout = totalTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    /**
     * Asks every peer in {@code peers} (typically {@link DiscoveryResult#peers()} without this pod) on
     * {@code port}, at its first address; a peer whose name did not resolve is {@link PeerStatus.NotLive}
     * with the DNS reason. Results are in the order of {@code peers}.
     */
    public List<PeerStatus> fetchAll(Collection<PeerDns> peers, int port) {
        List<Endpoint> endpoints = new ArrayList<>();
        List<PeerStatus> results = new ArrayList<>();
        for (PeerDns p : peers) {
            if (p.resolved()) {
                endpoints.add(new Endpoint(p.ordinal(), p.fqdn(), p.addresses().getFirst(), port));
            }
        }
        List<PeerStatus> fetched = fetchEndpoints(endpoints);
        int next = 0;
        for (PeerDns p : peers) {
            if (p.resolved()) {
                results.add(fetched.get(next++));
            } else {
                Unresolved u = (Unresolved) p.resolution();
                results.add(new PeerStatus.NotLive(p.ordinal(), p.fqdn(), null, "name not resolved: " + u.failure()));
            }
        }
        return List.copyOf(results);
    }

    /** Asks every endpoint at once; the results are in the order of {@code endpoints}. */
    public List<PeerStatus> fetchEndpoints(List<Endpoint> endpoints) {
        List<CompletableFuture<PeerStatus>> futures = endpoints.stream().map(this::fetchAsync).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }

    /** Asks one endpoint, waiting at most the total timeout. */
    public PeerStatus fetch(Endpoint endpoint) {
        return fetchAsync(endpoint).join();
    }

    /** The future never completes exceptionally: every failure becomes {@link PeerStatus.NotLive}. */
    private CompletableFuture<PeerStatus> fetchAsync(Endpoint e) {
        URI uri;
        try {
            uri = new URI("http", null, e.address().getHostAddress(), e.port(), "/status", null, null);
        } catch (URISyntaxException ex) {
            return CompletableFuture.completedFuture(new PeerStatus.NotLive(e.ordinal(), e.peer(), null,
                    "cannot build a URI for " + e.address().getHostAddress() + ": " + ex.getMessage()));
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(totalTimeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> call;
        AtomicReference<LimitedBody> body = new AtomicReference<>();
        try {
            call = http.sendAsync(request, info -> {
                LimitedBody b = new LimitedBody(MAX_BODY);
                body.set(b);
                return b;
            });
        } catch (RuntimeException ex) {
            return CompletableFuture.completedFuture(new PeerStatus.NotLive(e.ordinal(), e.peer(), uri, "cannot send: " + ex));
        }
        // the request timeout covers only the response headers; this one covers a body that trickles in
        return call.orTimeout(totalTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        LimitedBody b = body.get();
                        if (b != null) {
                            // stops reading a body that trickles in, which closes the connection
                            b.cancel();
                        }
                        return new PeerStatus.NotLive(e.ordinal(), e.peer(), uri, reason(failure, b != null));
                    }
                    try {
                        return toStatus(e, uri, response);
                    } catch (RuntimeException ex) {
                        return new PeerStatus.NotLive(e.ordinal(), e.peer(), uri, "unreadable answer: " + oneLine(String.valueOf(ex)));
                    }
                });
    }

    private PeerStatus toStatus(Endpoint e, URI uri, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            return new PeerStatus.NotLive(e.ordinal(), e.peer(), uri, "HTTP " + response.statusCode());
        }
        NodeStatus status;
        try {
            status = StatusJson.read(new String(response.body(), StandardCharsets.UTF_8), NodeStatus.class);
        } catch (IllegalArgumentException ex) {
            return new PeerStatus.NotLive(e.ordinal(), e.peer(), uri, oneLine(ex.getMessage()));
        }
        Optional<String> untrusted = untrusted(e, status);
        if (untrusted.isPresent()) {
            String reason = "answer not trusted: " + untrusted.get();
            // every round asks again: say it loudly when it starts or changes, quietly while it lasts
            if (reason.equals(lastUntrusted.put(e.peer(), reason))) {
                LOG.debug(e.peer() + " (" + uri + ") counts as not live: " + reason);
            } else {
                LOG.warn(e.peer() + " (" + uri + ") counts as not live: " + reason);
            }
            return new PeerStatus.NotLive(e.ordinal(), e.peer(), uri, reason);
        }
        lastUntrusted.remove(e.peer());
        return new PeerStatus.Live(e.ordinal(), e.peer(), uri, status);
    }

    /**
     * Why an answer cannot be the peer's own, if it cannot: another pod's agent behind that address (a stale DNS
     * record, a reused IP), or a process that only pretends. Its pod and ordinal must be the ones asked, and a
     * Primary claim must name its cluster: the planner joins a Primary and compares its uuid with local data.
     */
    static Optional<String> untrusted(Endpoint e, NodeStatus status) {
        String pod = e.peer().contains(".") ? e.peer().substring(0, e.peer().indexOf('.')) : e.peer();
        if (!pod.equals(status.pod())) {
            return Optional.of("it says pod " + printable(status.pod()) + ", but " + pod + " was asked");
        }
        if (status.ordinal() == null || status.ordinal() != e.ordinal()) {
            return Optional.of("it says ordinal " + status.ordinal() + ", but " + pod + " has ordinal " + e.ordinal());
        }
        if ("Primary".equals(status.wsrepClusterStatus())) {
            String uuid = status.wsrepClusterStateUuid();
            if (uuid == null || !CLUSTER_UUID.matcher(uuid).matches() || NIL_UUID.equals(uuid)) {
                return Optional.of("it claims a Primary component without a valid cluster uuid (" + printable(uuid) + ")");
            }
        }
        return Optional.empty();
    }

    private static String printable(String s) {
        if (s == null) {
            return "none";
        }
        String shown = s.codePoints().limit(64).collect(StringBuilder::new,
                (b, c) -> b.append(Character.isISOControl(c) ? '?' : (char) c), StringBuilder::append).toString();
        return "'" + shown + (s.length() > 64 ? "...'" : "'");
    }

    private String reason(Throwable failure, boolean headersArrived) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return switch (t) {
            case HttpConnectTimeoutException x -> "no connection within the connect timeout";
            case HttpTimeoutException x -> "no answer within " + totalTimeout.toMillis() + " ms";
            // two timers run out at about the same time; which one fired says nothing, the headers do
            case TimeoutException x -> (headersArrived ? "no complete answer" : "no answer") + " within " + totalTimeout.toMillis() + " ms";
            case ConnectException x -> connectFailure(x);
            case LimitedBody.BodyTooLarge x -> "status document larger than " + MAX_BODY + " bytes";
            default -> oneLine(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        };
    }

    /**
     * The JDK's client reports a refused connection as a ConnectException without any message; a
     * message, when there is one, says more.
     */
    private static String connectFailure(ConnectException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage().toLowerCase(Locale.ROOT).contains("refused")
                        ? "connection refused" : "cannot connect: " + oneLine(t.getMessage());
            }
        }
        return "connection refused";
    }

    private static String oneLine(String s) {
        String line = s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    @Override
    public void close() {
        http.shutdownNow();
        http.close();
    }
}
