package dev.galeraagent.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.StatusJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code agent probe serve}: the JDK's HTTP server on a few fixed threads, answering {@code /live},
 * {@code /ready}, {@code /startup} (200 or 503 with a one-line reason), {@code /status} (NodeStatus JSON)
 * and {@code /metrics} (Prometheus text).
 *
 * <p>Background work of the sidecar (the Rule 10 hand-off, {@link HandOffTask}) plugs in through {@link #schedule}: a task runs on its own single thread at a
 * fixed delay, with the same {@link ProbeService} (cached status, files) the probes use.
 */
public final class ProbeServer implements AutoCloseable {
    private static final Log LOG = Log.of("probe");
    /** HTTP worker threads: the work per request is a cache hit, so a few threads serve thousands per second. */
    static final int HTTP_THREADS = 4;

    private final ProbeService service;
    private final HttpServer http;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService background;

    public ProbeServer(ProbeService service, InetSocketAddress listen) throws IOException {
        this.service = service;
        this.http = HttpServer.create(listen, 128);
        this.httpThreads = Executors.newFixedThreadPool(HTTP_THREADS, named("probe-http"));
        this.background = Executors.newSingleThreadScheduledExecutor(named("probe-task"));
        http.setExecutor(httpThreads);
        for (ProbeKind kind : ProbeKind.values()) {
            http.createContext(kind.path(), ex -> handle(ex, () -> probe(ex, kind)));
        }
        http.createContext("/status", ex -> handle(ex, () -> status(ex)));
        http.createContext("/metrics", ex -> handle(ex, () -> metrics(ex)));
        http.createContext("/", ex -> handle(ex, () -> {
            send(ex, 404, "text/plain; charset=utf-8", "not found: try /live /ready /startup /status /metrics\n");
            return "not_found";
        }));
    }

    public void start() {
        http.start();
        LOG.info("probe serve listening on " + address());
    }

    /** The bound address (the port is chosen by the system when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    ProbeService service() {
        return service;
    }

    /** Runs {@code task} every {@code every} (after the previous run ends) until the server stops; failures are logged, and it runs again. */
    public void schedule(String name, Duration every, Runnable task) {
        background.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn(name + " failed: " + e.getMessage());
            } catch (LinkageError e) {
                // a class missing from the runtime (NoClassDefFoundError) must not end the task silently: the
                // executor runs nothing more after a throw, and the hand-off would never clear the one-shot file
                LOG.error(name + " failed: " + e);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private interface Handler {
        String handle() throws IOException;
    }

    private void handle(HttpExchange ex, Handler handler) {
        String path = ex.getHttpContext().getPath();
        String result = "error";
        try (ex) {
            String method = ex.getRequestMethod();
            if (!path.equals("/") && !path.equals(ex.getRequestURI().getPath())) {
                // contexts match by prefix; /lively or /ready/x are not probes
                send(ex, 404, "text/plain; charset=utf-8", "not found: try /live /ready /startup /status /metrics\n");
                result = "not_found";
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                result = "bad_method";
            } else {
                result = handler.handle();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("request to " + path + " failed: " + e);
        } finally {
            service.metrics().request(path, result);
        }
    }

    private String probe(HttpExchange ex, ProbeKind kind) throws IOException {
        Verdict v = service.health().of(kind);
        send(ex, v.ok() ? 200 : 503, "text/plain; charset=utf-8", v.reason() + "\n");
        return v.ok() ? "ok" : "fail";
    }

    private String status(HttpExchange ex) throws IOException {
        send(ex, 200, "application/json", StatusJson.write(service.status()) + "\n");
        return "ok";
    }

    private String metrics(HttpExchange ex) throws IOException {
        service.snapshot(); // gauges show a read at most one cache time old
        ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
        service.metrics().write(buf);
        send(ex, 200, service.metrics().contentType(), buf.toByteArray());
        return "ok";
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        send(ex, code, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops accepting, lets running requests finish (at most a second), stops the tasks, closes the connection. */
    @Override
    public void close() {
        http.stop(1);
        httpThreads.shutdown();
        background.shutdownNow();
        try {
            httpThreads.awaitTermination(2, TimeUnit.SECONDS);
            background.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.close();
        LOG.info("probe serve stopped");
    }
}
