package dev.galeraagent.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * One pod of the StatefulSet, with a kubelet of its own: runs the init containers in order (a
 * failed one is retried with back-off, as {@code restartPolicy: Always} does), then the
 * {@code mariadb} container and the sidecars, restarting any that exits by itself. Every process
 * runs inside the pod's network namespace with the pod's hostname and the Downward API's
 * {@code POD_NAME}, {@code POD_NAMESPACE}, {@code POD_IP}, and is ended by its PID.
 *
 * <p>Volumes: {@code work/} and {@code config/} are emptyDirs (wiped when the pod restarts),
 * {@code data/} is the PVC (kept), {@code log/} keeps every container's output across restarts
 * (what {@code kubectl logs --previous} would show).
 */
public final class Pod {
    public enum Phase { STOPPED, INITIALIZING, RUNNING }

    /** One finished run of an init container. */
    public record InitRun(String container, int attempt, int exit, Duration took) {}

    private static final String MARIADB = "mariadb";

    private final int ordinal;
    private final Path dir;
    private final Consumer<String> events;
    private final IntSupplier replicas;
    private final Map<String, Supervised> containers = new ConcurrentHashMap<>();
    private final List<InitRun> initRuns = new CopyOnWriteArrayList<>();
    private volatile Phase phase = Phase.STOPPED;
    private volatile boolean ready;
    private volatile int livenessRestarts;
    private Thread prober;
    private volatile boolean stopping;
    private volatile String failure;
    private volatile int generation;
    private volatile Process currentInit;
    private Thread kubelet;

    Pod(int ordinal, Path dir, IntSupplier replicas, Consumer<String> events) throws IOException {
        this.ordinal = ordinal;
        this.replicas = replicas;
        this.dir = dir;
        this.events = msg -> events.accept(name() + ": " + msg);
        for (Path p : List.of(dir, workDir(), configDir(), dataDir(), runDir(), logDir())) {
            Files.createDirectories(p);
        }
        writeImageConfig();
        // mariadbd runs as mysql: it owns its data, socket and log directories
        Exec.ok("chown", "mysql:mysql", dataDir().toString(), runDir().toString(), logDir().toString());
        Exec.ok("chmod", "755", dir.toString(), dir.getParent().toString());
    }

    public int ordinal() {
        return ordinal;
    }

    /** The StatefulSet's replicas now (what the API would say). */
    public int replicas() {
        return replicas.getAsInt();
    }

    public String name() {
        return PodNetwork.podName(ordinal);
    }

    public String ip() {
        return PodNetwork.ip(ordinal);
    }

    public String fqdn() {
        return PodNetwork.fqdn(ordinal);
    }

    public Path dir() {
        return dir;
    }

    public Path workDir() {
        return dir.resolve("work");
    }

    public Path configDir() {
        return dir.resolve("config");
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path runDir() {
        return dir.resolve("run");
    }

    public Path logDir() {
        return dir.resolve("log");
    }

    public Path socket() {
        return runDir().resolve("mysqld.sock");
    }

    public Path errorLog() {
        return logDir().resolve("error.log");
    }

    /** The image's own {@code my.cnf}: per-pod paths, small memory, and {@code !includedir} of the config volume. */
    public Path imageConfig() {
        return dir.resolve("my.cnf");
    }

    public Phase phase() {
        return phase;
    }

    public List<InitRun> initRuns() {
        return List.copyOf(initRuns);
    }

    /** The PID of the running mariadbd, or -1. */
    public long mariadbPid() {
        Supervised s = containers.get(MARIADB);
        Process p = s == null ? null : s.process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    public boolean mariadbRunning() {
        return mariadbPid() > 0;
    }

    /** How often the kubelet restarted the mariadb container by itself (it exited without being told to). */
    public int mariadbRestarts() {
        Supervised s = containers.get(MARIADB);
        return s == null ? 0 : s.restarts;
    }

    /**
     * The official image's entry point: initialise an empty data directory with
     * {@code mariadb-install-db}, then {@code exec mariadbd} (same PID) with the image's config
     * first on the command line. {@code preamble} is shell run just before the exec; it may add
     * arguments with {@code set -- "$@" ...}. SQL in the container's {@code INIT_SQL} runs once on a
     * new data directory, as the image's {@code /docker-entrypoint-initdb.d} scripts do (bootstrap
     * mode: one statement a line).
     */
    public List<String> mariadbEntry(String preamble) {
        String script = """
                cnf=$1; data=$2; log=$3; shift 3
                if [ ! -d "$data/mysql" ]; then
                  echo "entry: initialising $data"
                  mariadb-install-db --defaults-file="$cnf" --user=mysql --skip-test-db \
                    --auth-root-authentication-method=socket >"$log/install-db.log" 2>&1 || { cat "$log/install-db.log"; exit 1; }
                  if [ -n "$INIT_SQL" ]; then
                    # what the image runs from /docker-entrypoint-initdb.d on a new data directory
                    printf 'FLUSH PRIVILEGES;\\n%%s\\n' "$INIT_SQL" | /usr/sbin/mariadbd --defaults-file="$cnf" --bootstrap \
                      --wsrep-on=OFF >>"$log/install-db.log" 2>&1 || { cat "$log/install-db.log"; exit 1; }
                  fi
                fi
                %s
                echo "entry: exec mariadbd $*"
                exec /usr/sbin/mariadbd --defaults-file="$cnf" "$@"
                """.formatted(preamble);
        return List.of("sh", "-c", script, "mariadb-entry", imageConfig().toString(), dataDir().toString(), logDir().toString());
    }

    /** Starts the pod's sequence in the background: init containers, then mariadb and the sidecars. */
    synchronized void start(PodSteps steps) throws IOException {
        if (phase != Phase.STOPPED) {
            throw new IllegalStateException(name() + " is already " + phase);
        }
        // emptyDirs start empty with every new pod
        PodNetwork.deleteTree(configDir());
        PodNetwork.deleteTree(workDir());
        Files.createDirectories(configDir());
        Files.createDirectories(workDir());
        stopping = false;
        failure = null;
        generation++;
        phase = Phase.INITIALIZING;
        containers.clear();
        events.accept("pod started");
        kubelet = Thread.ofPlatform().daemon().name("kubelet-" + name()).start(() -> runSequence(steps));
    }

    private void runSequence(PodSteps steps) {
        try {
            for (Container c : steps.initContainers(this)) {
                if (!runInit(c)) {
                    return;
                }
            }
            synchronized (this) {
                if (stopping) {
                    return;
                }
                phase = Phase.RUNNING;
                startContainer(steps.mariadb(this));
                for (Container c : steps.sidecars(this)) {
                    startContainer(c);
                }
                Probes probes = steps.probes(this);
                if (probes != null) {
                    int gen = generation;
                    prober = Thread.ofPlatform().daemon().name("prober-" + name()).start(() -> probe(probes, gen));
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
            events.accept("kubelet failed: " + e);
        }
    }

    private boolean runInit(Container c) throws IOException {
        Duration backoff = Duration.ofSeconds(1);
        for (int attempt = 1; ; attempt++) {
            Instant t0 = Instant.now();
            synchronized (this) {
                if (stopping) {
                    return false;
                }
                currentInit = launch(c);
            }
            int exit;
            try {
                exit = currentInit.waitFor();
            } catch (InterruptedException e) {
                return false;
            }
            Duration took = Duration.between(t0, Instant.now());
            initRuns.add(new InitRun(c.name(), attempt, exit, took));
            if (stopping) {
                return false;
            }
            events.accept("init " + c.name() + " exited " + exit + " after " + seconds(took) + " s");
            if (exit == 0) {
                return true;
            }
            PodNetwork.sleep(backoff.toMillis());
            backoff = min(backoff.multipliedBy(2), Duration.ofSeconds(10));
        }
    }

    private void startContainer(Container c) {
        Supervised s = new Supervised(c);
        containers.put(c.name(), s);
        s.start();
    }

    /** What the readiness probe said last (false before the first answer and without probes). */
    public boolean ready() {
        return ready;
    }

    /** How often the kubelet restarted mariadb because its liveness (or startup) probe failed. */
    public int livenessRestarts() {
        return livenessRestarts;
    }

    /**
     * The kubelet's prober: the startup probe until it passes, then liveness and readiness each on
     * its period; enough failures in a row of startup or liveness restart the mariadb container.
     */
    private void probe(Probes p, int gen) {
        boolean started = false;
        int startupFails = 0;
        int liveFails = 0;
        int readyFails = 0;
        long tick = 0;
        long step = Math.min(p.liveness().period().toMillis(), p.readiness().period().toMillis());
        step = Math.min(step, p.startup().period().toMillis());
        while (!stopping && gen == generation) {
            PodNetwork.sleep(step);
            tick += step;
            if (stopping || gen != generation) {
                return;
            }
            if (!started) {
                if (tick % p.startup().period().toMillis() < step) {
                    if (httpOk(p.startup())) {
                        started = true;
                        startupFails = 0;
                        events.accept("startup probe passed");
                    } else if (++startupFails >= p.startup().failureThreshold()) {
                        kubeletRestart("startup probe failed " + startupFails + " times");
                        startupFails = 0;
                    }
                }
                continue;
            }
            if (tick % p.readiness().period().toMillis() < step) {
                boolean ok = httpOk(p.readiness());
                readyFails = ok ? 0 : readyFails + 1;
                boolean now = ok || (ready && readyFails < p.readiness().failureThreshold());
                if (now != ready) {
                    events.accept(now ? "ready" : "not ready");
                    ready = now;
                }
            }
            if (tick % p.liveness().period().toMillis() < step) {
                liveFails = httpOk(p.liveness()) ? 0 : liveFails + 1;
                if (liveFails >= p.liveness().failureThreshold()) {
                    livenessRestarts++;
                    kubeletRestart("liveness probe failed " + liveFails + " times");
                    liveFails = 0;
                    started = false;
                    ready = false;
                }
            }
        }
    }

    private void kubeletRestart(String why) {
        Supervised s = containers.get(MARIADB);
        if (s != null && !stopping) {
            events.accept(why + ": the kubelet restarts mariadb");
            s.stop(true);
            if (!stopping) {
                s.start();
            }
        }
    }

    private boolean httpOk(Probes.Check c) {
        try {
            Exec.Result r = exec(Duration.ofSeconds(5), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3",
                    "http://" + ip() + ":" + c.port() + c.path());
            return r.output().strip().equals("200");
        } catch (IOException e) {
            return false;
        }
    }

    /** kill -9 of mariadbd; the container stays down until {@link #restartMariadb()}. */
    public void kill9Mariadb() {
        Supervised s = containers.get(MARIADB);
        if (s != null) {
            s.stop(false);
            events.accept("mariadb killed (SIGKILL)");
        }
    }

    /** Restarts only the mariadb container, with the config already in the config volume. */
    public void restartMariadb() {
        Supervised s = containers.get(MARIADB);
        if (s == null) {
            throw new IllegalStateException(name() + " has no mariadb container (phase " + phase + ")");
        }
        s.stop(false);
        events.accept("mariadb container restarted");
        s.start();
    }

    /** Ends the pod: SIGTERM to every container (graceful) or SIGKILL to every process (a crash). */
    void stop(boolean graceful) {
        Thread k;
        synchronized (this) {
            stopping = true;
            k = kubelet;
            Process init = currentInit;
            if (init != null && init.isAlive()) {
                Exec.killTree(init.toHandle());
            }
        }
        Thread pr = prober;
        if (pr != null) {
            pr.interrupt();
        }
        ready = false;
        if (graceful) {
            containers.values().parallelStream().forEach(s -> s.stop(true));
        } else {
            containers.values().forEach(s -> s.stop(false));
        }
        if (k != null) {
            k.interrupt();
            try {
                k.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (phase != Phase.STOPPED) {
            events.accept(graceful ? "pod stopped (SIGTERM)" : "pod killed (SIGKILL)");
        }
        phase = Phase.STOPPED;
    }

    /** Runs a command inside the pod (like {@code kubectl exec}) and returns its result. */
    public Exec.Result exec(Duration timeout, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(inPod());
        full.addAll(List.of(cmd));
        return Exec.run(timeout, full, podEnv(Map.of()));
    }

    /** SQL as root over the socket (unix_socket authentication: no password, no network). */
    public Exec.Result sql(String statements) throws IOException {
        return Exec.run(Duration.ofSeconds(20), List.of("mariadb", "--no-defaults", "-S", socket().toString(), "-uroot",
                "-N", "-B", "-e", statements));
    }

    /** SQL that must succeed; returns its output. */
    public String sqlOk(String statements) throws IOException {
        Exec.Result r = sql(statements);
        if (!r.ok()) {
            throw new IOException(name() + ": SQL failed (" + r.exit() + "): " + r.output().strip());
        }
        return r.output().strip();
    }

    /** The node's wsrep status, or null when it does not answer. */
    public WsrepStatus status() {
        if (!Files.exists(socket())) {
            return null;
        }
        try {
            Exec.Result r = Exec.run(Duration.ofSeconds(5), List.of("mariadb", "--no-defaults", "-S", socket().toString(),
                    "-uroot", "-N", "-B", "--connect-timeout=2", "-e",
                    "SHOW GLOBAL STATUS WHERE Variable_name IN (" + WsrepStatus.VARIABLES + ")"));
            return r.ok() ? WsrepStatus.parse(r.output()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    String diagnostics() {
        StringBuilder b = new StringBuilder("--- ").append(name()).append(" phase=").append(phase)
                .append(" mariadb pid=").append(mariadbPid()).append(" status=").append(status())
                .append(" inits=").append(initRuns).append(failure == null ? "" : " kubelet failure: " + failure).append('\n');
        try (var files = Files.list(logDir())) {
            for (Path f : files.sorted().toList()) {
                b.append("  -- ").append(f.getFileName()).append('\n');
                for (String line : PodNetwork.tail(f).split("\n")) {
                    b.append("  | ").append(line).append('\n');
                }
            }
        } catch (IOException e) {
            b.append("  (no logs: ").append(e.getMessage()).append(")\n");
        }
        return b.toString();
    }

    private List<String> inPod() {
        // ip netns exec, unshare without --fork and exec all keep the PID: the recorded PID is the program's
        return List.of("ip", "netns", "exec", PodNetwork.netns(ordinal), "unshare", "--uts",
                "sh", "-c", "hostname \"$0\" && exec \"$@\"", name());
    }

    private Process launch(Container c) throws IOException {
        List<String> cmd = new ArrayList<>(inPod());
        cmd.addAll(c.command());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(podEnv(c.env()));
        File log = logDir().resolve(c.name() + ".log").toFile();
        Files.writeString(log.toPath(), "=== " + Instant.now() + " start " + c.name() + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return pb.redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
    }

    /** A container's environment: a plain PATH, the Downward API's variables, and the container's own. */
    private Map<String, String> podEnv(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", "/root");
        env.put("LANG", "C.UTF-8");
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        env.put("POD_NAME", name());
        env.put("POD_NAMESPACE", PodNetwork.NAMESPACE);
        env.put("POD_IP", ip());
        env.putAll(extra);
        return env;
    }

    private void writeImageConfig() throws IOException {
        Files.writeString(imageConfig(), """
                # the MariaDB image's my.cnf, with this pod's paths (pods here share one filesystem)
                [mysqld]
                user                           = mysql
                datadir                        = %s
                socket                         = %s
                pid-file                       = %s
                log-error                      = %s
                port                           = 3306
                skip-name-resolve
                # small: five of these share a small machine
                performance_schema             = OFF
                innodb_buffer_pool_size        = 32M
                innodb_log_file_size           = 16M
                innodb_log_buffer_size         = 4M
                key_buffer_size                = 1M
                aria_pagecache_buffer_size     = 8M
                max_connections                = 50
                table_open_cache               = 256
                innodb_flush_log_at_trx_commit = 2

                [client]
                socket                         = %s

                [sst]
                sst-log-archive-dir            = %s

                !includedir %s
                """.formatted(dataDir(), socket(), runDir().resolve("mysqld.pid"), errorLog(), socket(),
                logDir().resolve("sst-archive"), configDir()));
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** One long-running container under the kubelet: restarted with back-off when it exits by itself. */
    private final class Supervised {
        private final Container spec;
        private volatile Process process;
        private volatile boolean held = true;
        private volatile int restarts;
        private Thread loop;

        Supervised(Container spec) {
            this.spec = spec;
        }

        synchronized void start() {
            held = false;
            loop = Thread.ofPlatform().daemon().name(name() + "-" + spec.name()).start(this::run);
        }

        private void run() {
            Duration backoff = Duration.ofSeconds(1);
            while (true) {
                Process p;
                Instant t0 = Instant.now();
                synchronized (this) {
                    if (held) {
                        return;
                    }
                    try {
                        p = launch(spec);
                    } catch (IOException e) {
                        events.accept(spec.name() + " could not start: " + e.getMessage());
                        return;
                    }
                    process = p;
                }
                events.accept(spec.name() + " started, pid " + p.pid());
                int exit;
                try {
                    exit = p.waitFor();
                } catch (InterruptedException e) {
                    return;
                }
                if (held) {
                    return;
                }
                restarts++;
                Duration ran = Duration.between(t0, Instant.now());
                if (ran.compareTo(Duration.ofSeconds(30)) > 0) {
                    backoff = Duration.ofSeconds(1);
                }
                events.accept(spec.name() + " exited " + exit + " after " + seconds(ran) + " s; restarting in "
                        + backoff.toSeconds() + " s");
                PodNetwork.sleep(backoff.toMillis());
                backoff = min(backoff.multipliedBy(2), Duration.ofSeconds(10));
            }
        }

        /** Holds the container down: SIGTERM then, after 60 s, SIGKILL (graceful), or SIGKILL at once. */
        void stop(boolean graceful) {
            Process p;
            Thread l;
            synchronized (this) {
                held = true;
                p = process;
                l = loop;
            }
            if (p != null && p.isAlive()) {
                if (graceful) {
                    p.destroy();
                    if (!Exec.awaitExit(p.toHandle(), Duration.ofSeconds(60))) {
                        Exec.killTree(p.toHandle());
                    }
                } else {
                    Exec.killTree(p.toHandle());
                }
            }
            if (l != null) {
                l.interrupt();
                try {
                    l.join(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The probe sidecar's answer to {@code path} ({@code /live}, {@code /status}, ...): "HTTP code: body", for a scenario's log. */
    public String sidecarAnswer(String path) {
        try {
            Exec.Result r = exec(Duration.ofSeconds(5), "curl", "-s", "-w", "\n%{http_code}", "--max-time", "3",
                    "http://" + ip() + ":" + AgentSteps.STATUS_PORT + path);
            String out = r.output().strip();
            int nl = out.lastIndexOf('\n');
            return nl < 0 ? out : out.substring(nl + 1) + ": " + out.substring(0, nl).strip();
        } catch (IOException e) {
            return "no answer: " + e.getMessage();
        }
    }
}
