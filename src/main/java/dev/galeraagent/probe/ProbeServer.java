package dev.galeraagent.probe;

import dev.galeraagent.handoff.HandOffTask;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.http.HardenedHttp;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.StatusJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code agent probe serve}: the JDK's HTTP server, one virtual thread per exchange under the limits of
 * {@link HardenedHttp} (a slow client parks its own thread and cannot delay the kubelet's probes), answering {@code /live},
 * {@code /ready}, {@code /startup} (200 or 503 with a one-line reason), {@code /status} (NodeStatus JSON)
 * and {@code /metrics} (Prometheus text).
 *
 * <p>Background work of the sidecar (the Rule 10 hand-off, {@link HandOffTask}) plugs in through {@link #schedule}: a task runs on its own single thread at a
 * fixed delay, with the same {@link ProbeService} (cached status, files) the probes use.
 */
public final class ProbeServer implements AutoCloseable {
    private static final Log LOG = Log.of("probe");
    private final ProbeService service;
    private final HardenedHttp.Server server;
    private final HttpServer http;
    private final ScheduledExecutorService background;

    public ProbeServer(ProbeService service, InetSocketAddress listen) throws IOException {
        this.service = service;
        this.server = HardenedHttp.create(listen);
        this.http = server.http();
        this.background = Executors.newSingleThreadScheduledExecutor(named("probe-task"));
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
            result = route(ex, path, handler);
        } catch (IOException e) {
            // the client went away or was cut off by the request deadline: its own business
            LOG.debug("request to " + path + " failed: " + e);
        } finally {
            service.metrics().request(path, result);
        }
    }

    private String route(HttpExchange ex, String path, Handler handler) throws IOException {
        try {
            String method = ex.getRequestMethod();
            if (HardenedHttp.announcesBody(ex)) {
                // nothing here takes a body; refusing it before reading keeps a huge or endless upload away
                ex.getResponseHeaders().set("Connection", "close");
                send(ex, 413, "text/plain; charset=utf-8", "request bodies are not accepted\n");
                return "body_refused";
            }
            if (!path.equals("/") && !path.equals(ex.getRequestURI().getPath())) {
                // contexts match by prefix; /lively or /ready/x are not probes
                send(ex, 404, "text/plain; charset=utf-8", "not found: try /live /ready /startup /status /metrics\n");
                return "not_found";
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return "bad_method";
            }
            return handler.handle();
        } catch (RuntimeException e) {
            // a bug in a verdict or a renderer: the kubelet sees 500, and the log has what to fix
            LOG.error("request to " + path + " failed", e);
            serverError(ex);
            return "error";
        }
    }

    /** A 500 when nothing was sent yet; when headers are already out the connection just closes (by the try above). */
    private static void serverError(HttpExchange ex) {
        if (ex.getResponseCode() != -1) {
            return;
        }
        try {
            send(ex, 500, "text/plain; charset=utf-8", "internal error: see the sidecar's log\n");
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send 500: " + e);
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
        server.stop(Duration.ofSeconds(1));
        background.shutdownNow();
        try {
            server.executor().awaitTermination(2, TimeUnit.SECONDS);
            background.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.close();
        LOG.info("probe serve stopped");
    }
}
