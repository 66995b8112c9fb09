package dev.galeraagent.cli;

import dev.galeraagent.errors.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.log.Log;
import dev.galeraagent.testing.LocalDnsmasq;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapCommandTest {
    /** The cluster DNS of these tests: galera-0 at 127.0.50.30; never the machine's resolver, which is not on loopback. */
    static LocalDnsmasq dns;

    @TempDir
    static Path dnsDir;

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startDns() throws Exception {
        assumeTrue(LocalDnsmasq.installed(), "dnsmasq is installed by scripts/install-deps.sh");
        dns = LocalDnsmasq.start(dnsDir, "127.0.50.2", "cluster.local", List.of("127.0.50.30 galera-0.galera.default.svc.cluster.local"),
                List.of(), "galera-0.galera.default.svc.cluster.local");
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("bootstrap", "--dns-server=" + dns.server()));
        all.addAll(List.of(args));
        return AgentCommand.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void helpShowsEveryOptionWithItsEnvironmentTwin() {
        assertThat(run("--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        Matcher m = Pattern.compile("--([a-z-]+)[ =,]").matcher(help);
        List<String> options = new ArrayList<>();
        while (m.find()) {
            options.add(m.group(1));
        }
        assertThat(options).contains("pod-name", "pod-namespace", "pod-ip", "service", "cluster-domain", "replicas", "dns-server", "datadir",
                "config-dir", "config-name", "extra-config", "secret-config", "cluster-name", "sst-method", "wsrep-provider", "mariadbd",
                "recover-timeout", "timeout", "status-port", "dry-run", "no-kube-api", "kubeconfig", "statefulset", "recovery-timeout",
                "recovery-quorum", "force-bootstrap-from");
        for (String env : List.of("POD_NAME", "POD_NAMESPACE", "POD_IP", "AGENT_SERVICE", "AGENT_CLUSTER_DOMAIN", "AGENT_REPLICAS", "AGENT_DATADIR",
                "AGENT_CONFIG_DIR", "AGENT_CONFIG_NAME", "AGENT_EXTRA_CONFIG", "AGENT_SECRET_CONFIG", "AGENT_TLS_DIR", "AGENT_CLUSTER_NAME",
                "AGENT_SST_METHOD", "AGENT_WSREP_PROVIDER", "AGENT_MARIADBD", "AGENT_RECOVER_TIMEOUT", "AGENT_TIMEOUT", "AGENT_STATUS_PORT",
                "AGENT_DRY_RUN", "AGENT_BIND_ADDRESS", "AGENT_VERBOSE", "AGENT_DNS_SERVER", "AGENT_NO_KUBE_API", "KUBECONFIG",
                "AGENT_STATEFULSET", "AGENT_RECOVERY_TIMEOUT", "AGENT_RECOVERY_QUORUM", "AGENT_FORCE_BOOTSTRAP_FROM")) {
            assertThat(help).contains("(env: " + env + ")");
        }
    }

    @Test
    void helpShowsTheDefaultOfEveryOptionThatHasOneAsTheOtherCommandsDo() {
        assertThat(run("--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        defaults.put("pod-namespace", "default");
        defaults.put("service", "galera");
        defaults.put("datadir", "/var/lib/mysql");
        defaults.put("config-dir", "/etc/mysql/conf.d");
        defaults.put("config-name", "galera.cnf");
        defaults.put("sst-method", "mariabackup");
        defaults.put("wsrep-provider", "/usr/lib/galera/libgalera_smm.so");
        defaults.put("mariadbd", "mariadbd");
        defaults.put("recover-timeout", "120s");
        defaults.put("timeout", "600s");
        defaults.put("status-port", "9800");
        defaults.put("bind-address", "0.0.0.0");
        defaults.put("recovery-timeout", "5m");
        defaults.put("recovery-quorum", "all");
        defaults.forEach((option, value) -> assertThat(help)
                .containsPattern(" --" + Pattern.quote(option) + "=\\S+ (?:(?!\\(env:).)*Default: " + Pattern.quote(value) + "\\. \\(env: "));
    }

    @Test
    void aPodNameWithoutOrdinalIsAUsageErrorOnOneLine() {
        assertThat(run("--pod-name=galera", "--no-kube-api", "--replicas=3", "--datadir=" + tmp, "--dry-run")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString().strip()).isEqualTo("agent: pod name 'galera' has no ordinal: a StatefulSet pod is named <statefulset>-<ordinal>");
    }

    @Test
    void replicasAreRequiredWithoutTheApi() {
        assertThat(run("--pod-name=galera-0", "--no-kube-api", "--datadir=" + tmp, "--dry-run")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("--replicas: required with --no-kube-api");
        assertThat(run("--pod-name=galera-3", "--no-kube-api", "--replicas=3", "--datadir=" + tmp, "--dry-run")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("has ordinal 3 but the StatefulSet has 3 replicas");
    }

    @Test
    void badDurationsQuorumsOrdinalsAndConfigNamesAreOneLineUsageErrors() {
        String[] base = {"--pod-name=galera-0", "--no-kube-api", "--replicas=3", "--datadir=" + tmp, "--dry-run"};
        assertThat(run(with(base, "--timeout=10 minutes"))).isEqualTo(2);
        assertThat(err.toString()).contains("--timeout").contains("'10 minutes' is not a duration");
        assertThat(run(with(base, "--recovery-timeout=5"))).isEqualTo(2);
        assertThat(err.toString()).contains("--recovery-timeout").contains("'5' is not a duration");
        assertThat(run(with(base, "--recovery-quorum=4"))).isEqualTo(2);
        assertThat(err.toString()).contains("--recovery-quorum: must be 'all' or 1 to 3 (the replicas), was '4'");
        assertThat(run(with(base, "--force-bootstrap-from=3@86af4600-e983-11f1-a2ff-bfa38c7146ac:7"))).isEqualTo(2);
        assertThat(err.toString()).contains("--force-bootstrap-from: ordinal 3 is outside the StatefulSet's 3 replicas");
        assertThat(run(with(base, "--force-bootstrap-from=one@86af4600-e983-11f1-a2ff-bfa38c7146ac:7"))).isEqualTo(2);
        assertThat(err.toString()).contains("--force-bootstrap-from: the ordinal before '@' must be a number, was 'one'");
        // a bare ordinal is what a person left in a manifest bootstraps again at every later outage: refused
        assertThat(run(with(base, "--force-bootstrap-from=2"))).isEqualTo(2);
        assertThat(err.toString()).contains("--force-bootstrap-from: must be <ordinal>@<uuid>:<seqno>");
        assertThat(run(with(base, "--force-bootstrap-from=2@86af4600-e983-11f1-a2ff-bfa38c7146ac:-1"))).isEqualTo(2);
        assertThat(err.toString()).contains("the seqno must be the pod's recovered seqno, not -1");
        assertThat(run(with(base, "--config-name=../../etc/passwd"))).isEqualTo(2);
        assertThat(err.toString()).contains("--config-name: '../../etc/passwd' must be a plain file name ending in .cnf");
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static String[] with(String[] base, String extra) {
        List<String> all = new ArrayList<>(List.of(base));
        all.add(extra);
        return all.toArray(String[]::new);
    }

    @Test
    void anInjectedClusterNameIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path conf = tmp.resolve("conf");
        int code = run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + tmp, "--config-dir=" + conf, "--status-port=0",
                "--cluster-name=prod\nwsrep_new_cluster");
        assertThat(code).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString().strip()).startsWith("agent: cannot write galera.cnf: wsrep_cluster_name: contains a newline").doesNotContain("\n");
        assertThat(Files.exists(conf)).isFalse();
    }

    @Test
    void aFreshSinglePodTakesItsAddressFromDnsWritesItsConfigAndExitsZero() throws Exception {
        Path conf = tmp.resolve("conf");
        Path data = Files.createDirectories(tmp.resolve("data"));
        int code = run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + data, "--config-dir=" + conf, "--status-port=0");
        assertThat(code).as(err.toString()).isZero();
        String cnf = Files.readString(conf.resolve("galera.cnf"));
        assertThat(cnf).contains("wsrep_cluster_address = gcomm://galera-0.galera.default.svc.cluster.local:4567\n");
        assertThat(cnf).as("POD_IP unset: the address DNS gives the pod's own name").contains("wsrep_node_address = 127.0.50.30\n");
        assertThat(Files.readString(conf.resolve("galera-once.d/bootstrap.cnf"))).contains("wsrep_new_cluster");
        assertThat(Files.readString(conf.resolve("bootstrap-request.json"))).doesNotContain("\"lease");
    }

    @Test
    void anUnreachableApiWithoutReplicasIsAnEnvironmentErrorAndWithReplicasFallsBackLoudly() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.50.3"))) {
            closed = s.getLocalPort();
        }
        Path kubeconfig = tmp.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.50.3:%d"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {token: t}}]
                """.formatted(closed));
        Path data = Files.createDirectories(tmp.resolve("data"));
        assertThat(run("--pod-name=galera-0", "--kubeconfig=" + kubeconfig, "--datadir=" + data, "--dry-run")).isEqualTo(ExitCode.ENVIRONMENT.code());
        assertThat(err.toString().strip()).contains("without the API the agent needs --replicas").doesNotContain("\n");

        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            assertThat(run("--pod-name=galera-0", "--kubeconfig=" + kubeconfig, "--replicas=1", "--datadir=" + data, "--dry-run")).isZero();
        } finally {
            Log.setOutput(System.err);
        }
        assertThat(logged.toString()).contains("Going on WITHOUT the API (rule 9)");
        assertThat(out.toString()).contains("decision: NEW_CLUSTER").contains("Kubernetes API: not used");
    }

    @Test
    void logFormatJsonWritesOneObjectPerLineAndPlainStaysTheDefault() throws Exception {
        String[] args = {"--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--status-port=0", "--verbose",
            "--datadir=" + Files.createDirectories(tmp.resolve("data"))};
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            assertThat(run(with(args, "--config-dir=" + tmp.resolve("run1")))).isZero();
            List<String> plain = logged.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(plain).isNotEmpty().allSatisfy(l -> assertThat(l).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z (INFO |WARN |ERROR|DEBUG) \\[\\w+] .*"));

            logged.reset();
            assertThat(run(with(with(args, "--config-dir=" + tmp.resolve("run2")), "--log-format=json"))).isZero();
            List<String> json = logged.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(json).hasSameSizeAs(plain);
            tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
            for (int i = 0; i < json.size(); i++) {
                tools.jackson.databind.JsonNode line = mapper.readTree(json.get(i));
                assertThat(line.propertyNames()).containsExactly("time", "level", "logger", "message");
                assertThat(line.get("time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z");
                // numbers aside: durations, and the config dirs run1 and run2
                assertThat(plain.get(i).replaceAll("\\d+", "N")).as("the same event as the plain line")
                        .endsWith((" [" + line.get("logger").asString() + "] " + line.get("message").asString()).replaceAll("\\d+", "N"))
                        .contains(" " + line.get("level").asString());
            }
        } finally {
            Log.setOutput(System.err);
            Log.setFormat(Log.Format.PLAIN);
        }
        assertThat(run(with(with(args, "--config-dir=" + tmp.resolve("run3")), "--log-format=xml"))).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString().lines().findFirst().orElse("")).contains("'xml' is not a log format: plain or json");
        assertThat(err.toString()).doesNotContain("Exception");
    }

    @Test
    void aMissingDataDirectoryIsAnIoError() {
        assertThat(run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + tmp.resolve("nope"), "--dry-run")).isEqualTo(ExitCode.IO.code());
        assertThat(err.toString()).contains("data directory " + tmp.resolve("nope") + " does not exist (--datadir)");
    }

    @Test
    void relativeDirectoriesAreWrittenIntoTheConfigAsAbsolutePaths() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path relativeConf = Path.of("").toAbsolutePath().relativize(tmp.resolve("conf"));
        assertThat(run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + data,
                "--config-dir=" + relativeConf, "--dry-run")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("!includedir " + tmp.resolve("conf").resolve("galera-once.d"));
    }

    @Test
    void aFifoNamedGrastateIsAnIoErrorOnOneLineInsteadOfAHangEvenInADryRun() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        dev.galeraagent.files.HostileFiles.fifo(data.resolve("grastate.dat"));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () ->
                assertThat(run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + data, "--dry-run")).isEqualTo(ExitCode.IO.code()));
        assertThat(err.toString().strip()).isEqualTo("agent: cannot read data directory " + data + ": " + data.resolve("grastate.dat")
                + " is a FIFO, socket or device, not a regular file; the agent only reads regular files here");
    }

    @Test
    void aHugeOrSymlinkedGrastateIsAnIoErrorOnOneLine() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        dev.galeraagent.files.HostileFiles.huge(data.resolve("grastate.dat"), 400L * 1024 * 1024);
        assertThat(run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + data, "--dry-run")).isEqualTo(ExitCode.IO.code());
        assertThat(err.toString()).contains(data.resolve("grastate.dat") + " is too large (419430400 bytes").doesNotContain("OutOfMemoryError");
        Files.delete(data.resolve("grastate.dat"));
        Path real = Files.writeString(tmp.resolve("real-grastate"), "version: 2.1\nuuid: 6b2f1a4e-0000-11ef-8000-000000000001\nseqno: 7\nsafe_to_bootstrap: 0\n");
        Files.createSymbolicLink(data.resolve("grastate.dat"), real);
        assertThat(run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + data, "--dry-run")).isEqualTo(ExitCode.IO.code());
        assertThat(err.toString()).contains(data.resolve("grastate.dat") + " is a symbolic link, not a regular file");
    }

    @Test
    void aPathOptionWithANulCharacterIsAUsageErrorOnOneLine() {
        assertThat(run("--pod-name=galera-0", "--replicas=1", "--datadir=" + tmp, "--kubeconfig=/tmp/a\u0000b\nc", "--dry-run"))
                .isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).isEqualTo("agent: '/tmp/a?b?c' is not a valid path: Nul character not allowed" + System.lineSeparator());
    }

    @Test
    void anIpv6PodIpIsAcceptedAndBracketedInTheDryRunsConfig() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        assertThat(run("--pod-name=galera-0", "--no-kube-api", "--replicas=1", "--datadir=" + data, "--pod-ip=::1", "--bind-address=::",
                "--config-dir=" + tmp.resolve("conf"), "--dry-run")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("address ::1")
                .contains("bind_address = ::")
                .contains("wsrep_node_address = [::1]")
                .contains("wsrep_sst_receive_address = [::1]:4444")
                .contains("gmcast.listen_addr=tcp://[::]:4567;ist.recv_addr=[::1]:4568;");
    }
}
