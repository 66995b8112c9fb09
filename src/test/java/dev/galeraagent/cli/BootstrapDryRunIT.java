package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.testing.LocalDnsmasq;
import dev.galeraagent.testing.LocalMariaDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapDryRunIT {
    @TempDir
    Path tmp;

    /** The cluster DNS, on loopback: the machine's own resolver is not. */
    private LocalDnsmasq dns() throws Exception {
        assumeTrue(LocalDnsmasq.installed(), "dnsmasq is installed by scripts/install-deps.sh");
        return LocalDnsmasq.start(tmp.resolve("dns"), "127.0.50.4", "cluster.local", List.of("127.0.50.31 galera-0.galera.default.svc.cluster.local"),
                List.of(), "galera-0.galera.default.svc.cluster.local");
    }

    /** Every file under {@code root} with its SHA-256, size and mtime: any change shows. */
    private static TreeMap<String, String> fingerprint(Path root) throws Exception {
        TreeMap<String, String> tree = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isRegularFile(p)) {
                    byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                    tree.put(key, HexFormat.of().formatHex(sha) + " " + Files.size(p) + " " + Files.getLastModifiedTime(p));
                } else {
                    tree.put(key, "dir " + Files.getLastModifiedTime(p));
                }
            }
        }
        return tree;
    }

    @Test
    void dryRunOnACrashedDataDirectoryChangesNothingAndSaysThePositionIsUnknown() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        Path data;
        try (LocalMariaDb db = LocalMariaDb.create(tmp.resolve("n"), "127.0.10.31", 3306, true, "")) {
            db.start();
            db.sql("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO app.t VALUES (1),(2)");
            db.kill9();
            data = db.dataDir();
        }
        assertThat(Files.readString(data.resolve("grastate.dat"))).contains("seqno:   -1");
        Path conf = tmp.resolve("conf");
        TreeMap<String, String> before = fingerprint(data);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (LocalDnsmasq dns = dns()) {
            code = AgentCommand.execute(new String[] {"bootstrap", "--dry-run", "--no-kube-api", "--dns-server=" + dns.server(), "--pod-name=galera-0",
                "--replicas=1", "--cluster-domain=cluster.local", "--datadir=" + data, "--config-dir=" + conf, "--status-port=19831",
                "--mariadbd=" + LocalMariaDb.MARIADBD}, new PrintWriter(out, true), new PrintWriter(err, true));
        }

        assertThat(code).as(err.toString()).isZero();
        assertThat(fingerprint(data)).as("data directory after --dry-run").isEqualTo(before);
        assertThat(Files.exists(conf)).as("config directory").isFalse();
        String text = out.toString();
        System.out.println(text);
        assertThat(text).contains("identity: pod galera-0, ordinal 0 of 1, statefulset galera").contains("address 127.0.50.31 (POD_IP not set)");
        assertThat(text).contains("DNS: 1/1 peers resolved");
        assertThat(text).contains("  0 galera-0.galera.default.svc.cluster.local: this pod");
        assertThat(text).contains("local state: grastate.dat uuid ").contains("seqno -1").contains("gvwstate.dat present");
        assertThat(text).contains("position: unknown (grastate.dat says seqno -1). A real run recovers it first with: " + LocalMariaDb.MARIADBD
                + " --defaults-file=<temp recover.cnf> --wsrep-recover");
        assertThat(text).contains("decision: WAIT").contains("--wsrep-recover has not run");
        assertThat(text).contains("would write " + conf.resolve("galera.cnf") + " (the same for every decision):")
                .contains("    wsrep_cluster_address = gcomm://galera-0.galera.default.svc.cluster.local:4567\n");
        assertThat(text).endsWith("dry run: nothing was changed\n");
    }

    @Test
    void dryRunOfAFreshPodShowsTheBootstrapFilesItWouldWrite() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("empty"));
        Path conf = tmp.resolve("conf");
        StringWriter out = new StringWriter();
        int code;
        try (LocalDnsmasq dns = dns()) {
            code = AgentCommand.execute(new String[] {"bootstrap", "--dry-run", "--no-kube-api", "--dns-server=" + dns.server(), "--pod-name=galera-0",
                "--replicas=1", "--datadir=" + data, "--config-dir=" + conf}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        }
        assertThat(code).isZero();
        assertThat(out.toString()).contains("decision: NEW_CLUSTER").contains("    wsrep_new_cluster")
                .contains("would write " + conf.resolve("bootstrap-request.json") + ":");
        assertThat(Files.exists(conf)).isFalse();
        try (Stream<Path> s = Files.list(data)) {
            assertThat(s.toList()).isEqualTo(List.of());
        }
    }
}
