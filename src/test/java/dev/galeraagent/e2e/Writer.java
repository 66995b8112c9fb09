package dev.galeraagent.e2e;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application: one writer per pod, each inserting rows {@code (w, s)} through that pod's
 * address on port 3306 with the {@code mariadb} client, run in the bridge namespace (the only
 * place besides the pods with an address in the subnet). Each INSERT is followed by
 * {@code SELECT s}; the client prints it only after the INSERT was committed, so a printed
 * {@code s} is an acknowledged row. A connection that fails or hangs is dropped (by PID) and
 * opened again; the row in flight then counts as not acknowledged.
 */
public final class Writer implements AutoCloseable {
    /** One row the application wrote. */
    public record Row(int w, int s) {}

    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final Path logDir;
    private final Duration pause;
    private final Set<Row> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestGapNanos = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final Set<Process> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    private Writer(Path logDir, Duration pause) {
        this.logDir = logDir;
        this.pause = pause;
    }

    /**
     * Starts one writer per pod in {@code targets}; {@code pause} between rows keeps the load
     * modest. Each continues after the highest row an earlier writer left in the table.
     */
    public static Writer start(Cluster cluster, Collection<Integer> targets, Duration pause) throws IOException {
        Map<Integer, Integer> last = lastRows(cluster);
        Writer w = new Writer(cluster.dir(), pause);
        for (int i : targets) {
            int from = last.getOrDefault(i, 0);
            w.threads.add(Thread.ofPlatform().daemon().name("writer-" + i).start(() -> w.loop(i, from)));
        }
        return w;
    }

    private static Map<Integer, Integer> lastRows(Cluster cluster) throws IOException {
        for (int i : cluster.ordinals()) {
            WsrepStatus st = cluster.status(i);
            if (st != null && st.synced()) {
                Map<Integer, Integer> m = new java.util.HashMap<>();
                String out = cluster.pod(i).sqlOk("SET SESSION wsrep_sync_wait=1; SELECT w, MAX(s) FROM lab." + Cluster.APP_TABLE + " GROUP BY w");
                for (String line : out.split("\n")) {
                    String[] f = line.split("\t");
                    if (f.length == 2) {
                        m.put(Integer.parseInt(f[0]), Integer.parseInt(f[1]));
                    }
                }
                return m;
            }
        }
        throw new IOException("no Synced pod to start writing on");
    }

    /** The acknowledged rows so far. */
    public Set<Row> acked() {
        return Set.copyOf(acked);
    }

    public long attempts() {
        return attempts.get();
    }

    /** The longest time in which no writer had a row acknowledged. */
    public Duration longestGap() {
        return Duration.ofNanos(Math.max(longestGapNanos.get(), System.nanoTime() - lastAckNanos.get()));
    }

    /** How many rows writer {@code w} had acknowledged. */
    public long ackedBy(int w) {
        return acked.stream().filter(r -> r.w() == w).count();
    }

    /** Stops every writer; rows in flight are not acknowledged. */
    public void stop() {
        running = false;
        // measure gaps only while writing
        long gap = System.nanoTime() - lastAckNanos.get();
        longestGapNanos.accumulateAndGet(gap, Math::max);
        lastAckNanos.set(System.nanoTime());
        clients.forEach(p -> Exec.killTree(p.toHandle()));
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
    }

    private void loop(int w, int from) {
        int s = from;
        File log = logDir.resolve("writer-" + w + ".log").toFile();
        while (running) {
            Process p;
            try {
                p = new ProcessBuilder("ip", "netns", "exec", PodNetwork.BRIDGE_NS,
                        "mariadb", "--no-defaults", "-h", PodNetwork.ip(w), "-P", "3306",
                        "-u" + Cluster.APP_USER, "-p" + Cluster.APP_PASSWORD, "--connect-timeout=3", "--skip-reconnect",
                        "-N", "-B", "-n", "lab")
                        .redirectError(ProcessBuilder.Redirect.appendTo(log))
                        .start();
            } catch (IOException e) {
                PodNetwork.sleep(500);
                continue;
            }
            clients.add(p);
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the client is gone; the loop notices by the timeout or the exit
                }
                lines.add("EOF");
            });
            try (OutputStream in = p.getOutputStream()) {
                while (running) {
                    s++;
                    attempts.incrementAndGet();
                    in.write(("INSERT INTO " + Cluster.APP_TABLE + " (w, s, node) VALUES (" + w + ", " + s + ", @@hostname); SELECT " + s + ";\n")
                            .getBytes(StandardCharsets.UTF_8));
                    in.flush();
                    String line = lines.poll(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (line == null || !line.equals(Integer.toString(s))) {
                        break;
                    }
                    acked.add(new Row(w, s));
                    long now = System.nanoTime();
                    long before = lastAckNanos.getAndSet(now);
                    longestGapNanos.accumulateAndGet(now - before, Math::max);
                    if (!pause.isZero()) {
                        Thread.sleep(pause);
                    }
                }
            } catch (IOException e) {
                // broken pipe: the client died; reconnect
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                Exec.killTree(p.toHandle());
                clients.remove(p);
            }
            if (running) {
                PodNetwork.sleep(300);
            }
        }
    }
}
