package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("bootstrap"));
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
        assertThat(options).contains("pod-name", "pod-namespace", "pod-ip", "service", "cluster-domain", "replicas", "datadir", "config-dir",
                "config-name", "extra-config", "secret-config", "cluster-name", "sst-method", "wsrep-provider", "mariadbd", "recover-timeout",
                "timeout", "status-port", "dry-run");
        for (String env : List.of("POD_NAME", "POD_NAMESPACE", "POD_IP", "AGENT_SERVICE", "AGENT_CLUSTER_DOMAIN", "AGENT_REPLICAS", "AGENT_DATADIR",
                "AGENT_CONFIG_DIR", "AGENT_CONFIG_NAME", "AGENT_EXTRA_CONFIG", "AGENT_SECRET_CONFIG", "AGENT_TLS_DIR", "AGENT_CLUSTER_NAME",
                "AGENT_SST_METHOD", "AGENT_WSREP_PROVIDER", "AGENT_MARIADBD", "AGENT_RECOVER_TIMEOUT", "AGENT_TIMEOUT", "AGENT_STATUS_PORT",
                "AGENT_DRY_RUN", "AGENT_BIND_ADDRESS", "AGENT_VERBOSE")) {
            assertThat(help).contains("(env: " + env + ")");
        }
    }

    @Test
    void aPodNameWithoutOrdinalIsAUsageErrorOnOneLine() {
        assertThat(run("--pod-name=galera", "--replicas=3", "--datadir=" + tmp, "--dry-run")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString().strip()).isEqualTo("agent: pod name 'galera' has no ordinal: expected <statefulset>-<number>, like galera-0");
    }

    @Test
    void replicasAreRequiredWithoutTheApi() {
        assertThat(run("--pod-name=galera-0", "--datadir=" + tmp, "--dry-run")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("--replicas: required");
        assertThat(run("--pod-name=galera-3", "--replicas=3", "--datadir=" + tmp, "--dry-run")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("has ordinal 3 but --replicas is 3");
    }

    @Test
    void badDurationsAndConfigNamesAreUsageErrors() {
        assertThat(run("--pod-name=galera-0", "--replicas=1", "--datadir=" + tmp, "--timeout=10 minutes", "--dry-run")).isEqualTo(2);
        assertThat(err.toString()).contains("--timeout: not a duration: '10 minutes'");
        assertThat(run("--pod-name=galera-0", "--replicas=1", "--datadir=" + tmp, "--config-name=../../etc/passwd", "--dry-run")).isEqualTo(2);
        assertThat(err.toString()).contains("--config-name: '../../etc/passwd' must be a plain file name ending in .cnf");
    }

    @Test
    void anInjectedClusterNameIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path conf = tmp.resolve("conf");
        int code = run("--pod-name=galera-0", "--replicas=1", "--datadir=" + tmp, "--config-dir=" + conf, "--status-port=0",
                "--cluster-name=prod\nwsrep_new_cluster");
        assertThat(code).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString().strip()).startsWith("agent: cannot write galera.cnf: wsrep_cluster_name: contains a newline").doesNotContain("\n");
        assertThat(Files.exists(conf)).isFalse();
    }

    @Test
    void aFreshSinglePodWritesItsConfigAndExitsZero() throws Exception {
        Path conf = tmp.resolve("conf");
        Path data = Files.createDirectories(tmp.resolve("data"));
        int code = run("--pod-name=galera-0", "--replicas=1", "--datadir=" + data, "--config-dir=" + conf, "--status-port=0", "--pod-ip=127.0.10.30");
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readString(conf.resolve("galera.cnf"))).contains("wsrep_cluster_address = gcomm://galera-0.galera.default.svc.cluster.local:4567\n");
        assertThat(Files.readString(conf.resolve("galera-once.d/bootstrap.cnf"))).contains("wsrep_new_cluster");
        assertThat(Files.exists(conf.resolve("bootstrap-request.json"))).isTrue();
    }

    @Test
    void aMissingDataDirectoryIsAnIoError() {
        assertThat(run("--pod-name=galera-0", "--replicas=1", "--datadir=" + tmp.resolve("nope"), "--dry-run")).isEqualTo(ExitCode.IO.code());
        assertThat(err.toString()).contains("data directory " + tmp.resolve("nope") + " does not exist (--datadir)");
    }
}
