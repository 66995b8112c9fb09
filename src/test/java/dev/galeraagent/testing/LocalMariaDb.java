package dev.galeraagent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server started by a test from Debian's packages: plain, or a single-node Galera
 * cluster. The test owns it: it records the PID of the mariadbd it started and only ever signals
 * that PID; {@link #close()} kills it if it is still running, also when the test failed.
 *
 * <p>Every instance binds its own loopback address so several can run at once.
 */
public final class LocalMariaDb implements AutoCloseable {
    public static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
    public static final Path GALERA = Path.of("/usr/lib/galera/libgalera_smm.so");

    private final Path dir;
    private final String address;
    private final int port;
    private final boolean galera;
    private final String extraConfig;
    private Process process;

    private LocalMariaDb(Path dir, String address, int port, boolean galera, String extraConfig) {
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.galera = galera;
        this.extraConfig = extraConfig;
    }

    /** True where Debian's mariadb-server is installed (tests use it as an assumption). */
    public static boolean installed() {
        return Files.isExecutable(MARIADBD) && Files.isExecutable(Path.of("/usr/bin/mariadb-install-db"));
    }

    public static boolean galeraInstalled() {
        return installed() && Files.isReadable(GALERA);
    }

    /**
     * Prepares (but does not start) a server in {@code dir}: its config, and a data directory
     * initialised with {@code mariadb-install-db}. {@code extraConfig} lines go into [mysqld].
     */
    public static LocalMariaDb create(Path dir, String address, int port, boolean galera, String extraConfig) throws IOException {
        LocalMariaDb db = new LocalMariaDb(dir.toAbsolutePath(), address, port, galera, extraConfig);
        db.writeConfig();
        db.installDb();
        return db;
    }

    public Path dir() {
        return dir;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path socket() {
        return dir.resolve("run/mysqld.sock");
    }

    public Path configFile() {
        return dir.resolve("my.cnf");
    }

    public Path errorLog() {
        return dir.resolve("error.log");
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:mariadb://" + address + ":" + port + "/";
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts mariadbd (for Galera: bootstrapping a new single-node cluster) and waits until it answers. */
    public void start(String... extraArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(MARIADBD.toString(), "--defaults-file=" + configFile()));
        if (galera) {
            cmd.add("--wsrep-new-cluster");
        }
        cmd.addAll(List.of(extraArgs));
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                .start();
        awaitAnswering(Duration.ofSeconds(60));
    }

    /** Runs SQL as root over the socket with the mariadb client; returns its tab-separated output. */
    public String sql(String statements) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mariadb", "--no-defaults", "-S", socket().toString(), "-uroot", "-N", "-B", "-e", statements)
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("SQL failed on " + dir + ": " + output.strip());
        }
        return output.strip();
    }

    /** One global status variable, or null when the server does not answer. */
    public String status(String variable) {
        try {
            String line = sql("SHOW GLOBAL STATUS LIKE '" + variable + "'");
            int tab = line.indexOf('\t');
            return tab < 0 ? null : line.substring(tab + 1);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SIGKILL, then wait until the process is gone. */
    public void kill9() throws InterruptedException {
        if (alive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM (a clean shutdown), then wait until the process is gone. */
    public void stop() throws InterruptedException {
        if (alive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }

    /** SIGSTOP: the server keeps its sockets open but answers nothing (a hung server). */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).inheritIO().start().waitFor();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            thaw();
            kill9();
        }
    }

    private void awaitAnswering(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("mariadbd exited with " + process.exitValue() + "; log: " + tail(errorLog()));
            }
            if (Files.exists(socket()) && status("Uptime") != null) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("mariadbd did not answer within " + timeout + "; log: " + tail(errorLog()));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("run"));
        StringBuilder cnf = new StringBuilder();
        cnf.append("[mysqld]\n")
                .append("user = mysql\n")
                .append("datadir = ").append(dataDir()).append('\n')
                .append("socket = ").append(socket()).append('\n')
                .append("pid-file = ").append(dir.resolve("run/mysqld.pid")).append('\n')
                .append("log-error = ").append(errorLog()).append('\n')
                .append("bind-address = ").append(address).append('\n')
                .append("port = ").append(port).append('\n')
                .append("skip-name-resolve\n")
                .append("performance_schema = OFF\n")
                .append("innodb_buffer_pool_size = 32M\n")
                .append("innodb_log_file_size = 16M\n")
                .append("key_buffer_size = 1M\n")
                .append("max_connections = 50\n")
                .append("binlog_format = ROW\n")
                .append("default_storage_engine = InnoDB\n")
                .append("innodb_autoinc_lock_mode = 2\n");
        if (galera) {
            cnf.append("wsrep_on = ON\n")
                    .append("wsrep_provider = ").append(GALERA).append('\n')
                    .append("wsrep_cluster_name = test\n")
                    .append("wsrep_cluster_address = gcomm://\n")
                    .append("wsrep_node_address = ").append(address).append('\n')
                    .append("wsrep_sst_method = rsync\n")
                    .append("wsrep_provider_options = \"gmcast.listen_addr=tcp://").append(address).append(":").append(port + 1261)
                    .append(";ist.recv_addr=").append(address).append(":").append(port + 1262)
                    .append(";gcache.size=16M\"\n");
        }
        if (extraConfig != null && !extraConfig.isBlank()) {
            cnf.append(extraConfig.strip()).append('\n');
        }
        Files.writeString(configFile(), cnf.toString());
        // mariadbd runs as mysql: it must reach and own its directory
        for (Path p = dir; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            if (p.startsWith(Path.of("/tmp")) && !p.equals(Path.of("/tmp"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        run("chown", "-R", "mysql:mysql", dir.toString());
    }

    private void installDb() throws IOException {
        run("mariadb-install-db", "--defaults-file=" + configFile(), "--user=mysql", "--skip-test-db",
                "--auth-root-authentication-method=socket");
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }
}
