package dev.galeraagent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK HTTP server as both of the agent's servers use it ({@code probe serve} and the waiting
 * bootstrap's {@code /status}), hardened against slow and greedy clients.
 *
 * <p>The JDK's server hands a connection to the executor as soon as its first byte arrives and then reads
 * the request line and headers with a blocking read. On a small fixed pool a few clients that send one
 * byte every few seconds hold every worker, and the kubelet's {@code /live} waits behind them. Here every
 * exchange runs on its own virtual thread, so a stalled client parks a virtual thread, never a worker the
 * probes need. The JDK's own limits bound what each client may hold (they are read once per JVM, when
 * the first server is created; a {@code -D} given on the command line wins):
 * <ul>
 * <li>{@value #REQUEST_SECONDS} s from the first byte until the whole request is read, and as long again
 *     for the client to take the response ({@code sun.net.httpserver.maxReqTime}, {@code maxRspTime}),
 *     checked every second; a connection that sends nothing is closed after the same time;</li>
 * <li>{@value #MAX_HEADERS} header lines and {@value #MAX_HEADER_BYTES} bytes for the request line and
 *     headers together ({@code maxReqHeaders}, {@code maxReqHeaderSize});</li>
 * <li>no request body: the servers only answer GET and HEAD, so a request announcing a body gets 413 and
 *     the body is never read ({@code drainAmount} keeps the server from reading it after the answer);</li>
 * <li>at most {@value #MAX_CONNECTIONS} open connections ({@code jdk.httpserver.maxConnections}): past
 *     that a new connection is closed at once, which bounds the memory a flood of connections takes.</li>
 * </ul>
 */
public final class HardenedHttp {
    /** Per-request read deadline, and the time a client has to take the response. */
    public static final int REQUEST_SECONDS = 5;
    public static final int MAX_HEADERS = 32;
    public static final int MAX_HEADER_BYTES = 8192;
    public static final int MAX_CONNECTIONS = 1000;
    static final int BACKLOG = 1024;

    private static final Map<String, String> LIMITS = Map.of(
            "sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS),
            "sun.net.httpserver.maxRspTime", Integer.toString(REQUEST_SECONDS),
            "sun.net.httpserver.timerMillis", "1000",
            // the idle sweep also closes connections that never send a byte; its default period is 10 s
            "sun.net.httpserver.clockTick", "1000",
            "sun.net.httpserver.idleInterval", "30",
            "sun.net.httpserver.maxReqHeaders", Integer.toString(MAX_HEADERS),
            "sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_HEADER_BYTES),
            // after the answer the server reads at most this much of an unread body, then closes; 0 would
            // also close every bodiless keep-alive connection (its end is only seen by reading)
            "sun.net.httpserver.drainAmount", "1024",
            "jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));

    static {
        LIMITS.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }

    private HardenedHttp() {
    }

    /** A server and the executor its exchanges run on (shut it down after {@link HttpServer#stop}). */
    public record Server(HttpServer http, ExecutorService executor) {
        public void stop(Duration grace) {
            http.stop((int) grace.toSeconds());
            executor.shutdownNow();
        }
    }

    /** Binds (not started): every exchange on its own virtual thread, under the limits above. */
    public static Server create(InetSocketAddress listen) throws IOException {
        // a wide accept queue: when a burst of connections fills it, the kernel drops the kubelet's SYN and
        // its retry comes a second later
        HttpServer http = HttpServer.create(listen, BACKLOG);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
        http.setExecutor(executor);
        return new Server(http, executor);
    }

    /**
     * True when the request announces a body (Content-Length above 0, or chunked): the agent's endpoints
     * take none, so the caller answers 413 and the body is never read.
     */
    public static boolean announcesBody(HttpExchange ex) {
        if (ex.getRequestHeaders().containsKey("Transfer-Encoding")) {
            return true;
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        return length != null && !length.strip().equals("0");
    }

    /** The time a request may take before the server closes its connection, as the JDK enforces it. */
    public static Duration requestDeadline() {
        return Duration.ofSeconds(Long.getLong("sun.net.httpserver.maxReqTime", REQUEST_SECONDS));
    }
}
