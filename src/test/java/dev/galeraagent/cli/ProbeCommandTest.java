package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProbeCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    private int run(String... args) {
        return AgentCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void everyProbeOptionShowsItsEnvironmentTwin() {
        for (String sub : new String[] {"serve", "liveness", "readiness", "startup"}) {
            out.getBuffer().setLength(0);
            assertThat(run("probe", sub, "--help")).isZero();
            String help = out.toString().replaceAll("\\s+", " ");
            for (String env : new String[] {"AGENT_HOST", "AGENT_PORT", "AGENT_USER", "AGENT_PASSWORD_FILE", "AGENT_QUERY_TIMEOUT",
                    "AGENT_AVAILABLE_WHEN_DONOR", "AGENT_STARTUP_GRACE", "AGENT_STALE_TRANSFER_AFTER", "AGENT_DATADIR", "AGENT_CONFIG_DIR", "AGENT_VERBOSE"}) {
                assertThat(help).as(sub).contains("(env: " + env + ")");
            }
            assertThat(help).as(sub).contains(sub.equals("serve") ? "(env: AGENT_LISTEN)" : "(env: AGENT_SIDECAR)");
        }
    }

    @Test
    void aZeroStaleTransferBoundIsAUsageErrorOnOneLine() {
        assertThat(run("probe", "liveness", "--stale-transfer-after", "0s", "--sidecar", "none")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("agent: --stale-transfer-after must be positive");
    }

    @Test
    void probeWithoutACommandIsAUsageError() {
        assertThat(run("probe")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing a probe command").contains("serve").contains("readiness");
    }

    @Test
    void aMalformedListenAddressIsAUsageErrorOnOneLine() {
        assertThat(run("probe", "serve", "--listen", "nonsense")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("agent: --listen must be HOST:PORT (like 0.0.0.0:9800 or [::]:9800), was 'nonsense'");
    }

    @Test
    void aCacheLongerThanASecondIsRefused() {
        assertThat(run("probe", "serve", "--cache", "2s")).isEqualTo(2);
        assertThat(err.toString()).contains("--cache must be between 0 and 1s");
    }

    @Test
    void aMalformedDurationIsAUsageError() {
        assertThat(run("probe", "readiness", "--query-timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration: write a whole number and a unit, like 500ms, 30s, 5m or 1h");
    }

    @Test
    void serveShowsTheKubernetesOptionsWithTheirEnvironmentTwins() {
        assertThat(run("probe", "serve", "--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("--no-kube-api").contains("(env: AGENT_NO_KUBE_API)").contains("--kubeconfig").contains("(env: KUBECONFIG)")
                .contains("(env: POD_NAME)").contains("(env: POD_NAMESPACE)");
    }

    @Test
    void thePodIdentityComesFromTheDownwardApiAndIsOptional() {
        assertThat(ProbeCommand.who("galera-2", "db", "ignored")).isEqualTo(new ProbeCommand.Who("galera-2", 2, "db"));
        assertThat(ProbeCommand.who(null, "default", "galera-0.example")).isEqualTo(new ProbeCommand.Who("galera-0", 0, "default"));
        // a laptop or a plain container: no ordinal, and the probe still runs
        assertThat(ProbeCommand.who("mariadb", null, "host")).isEqualTo(new ProbeCommand.Who("mariadb", null, "default"));
        assertThat(ProbeCommand.who("", "", "laptop")).isEqualTo(new ProbeCommand.Who("laptop", null, "default"));
    }

    @Test
    void aHostThatWouldAddDriverOptionsIsAUsageError() {
        assertThat(run("probe", "readiness", "--sidecar", "none", "--host", "db/?allowLocalInfile=true&x=")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("agent: --host must be a host name or an IP address, was 'db/?allowLocalInfile=true&x='");
    }

    @Test
    void hostNamesAndIpAddressesAreAcceptedAsHost() {
        for (String host : new String[] {"127.0.0.1", "::1", "galera-0.galera.db.svc.cluster.local", "fe80::1%eth0"}) {
            ProbeCommand.Options o = parsedOptions();
            o.host = host;
            assertThat(o.policy().target()).as(host).contains(host);
        }
    }

    @Test
    void aBadSidecarUrlIsAUsageError() {
        assertThat(run("probe", "readiness", "--sidecar", "ftp://x")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("agent: --sidecar must be an http://HOST:PORT URL or 'none', was 'ftp://x'");
    }

    @Test
    void aMissingPasswordFileIsAnIoErrorWithoutAStackTrace() {
        assertThat(run("probe", "readiness", "--sidecar", "none", "--password-file", tmp.resolve("absent").toString())).isEqualTo(6);
        assertThat(err.toString().strip()).startsWith("agent: cannot read the password file").doesNotContain("\tat ");
    }

    @Test
    void thePasswordComesFromTheFileWithoutItsTrailingNewlineElseFromTheEnvironment() throws Exception {
        ProbeCommand.Options o = parsedOptions();
        o.passwordFile = Files.writeString(tmp.resolve("pw"), "s3cret\n");
        assertThat(o.password(Map.of("AGENT_PASSWORD", "from-env"))).isEqualTo("s3cret");
        o.passwordFile = Files.writeString(tmp.resolve("pw2"), "with space \r\n");
        assertThat(o.password(Map.of())).isEqualTo("with space ");
        o.passwordFile = null;
        assertThat(o.password(Map.of("AGENT_PASSWORD", "from-env"))).isEqualTo("from-env");
        assertThat(o.password(Map.of())).isEmpty();
    }

    @Test
    void theAccessNeverShowsThePassword() throws Exception {
        ProbeCommand.Options o = parsedOptions();
        assertThat(o.access(Map.of("AGENT_PASSWORD", "hunter2")).toString()).doesNotContain("hunter2").contains("probe@127.0.0.1:3306");
    }

    @Test
    void listenAcceptsHostPortAndBracketedIpv6() {
        assertThat(ProbeCommand.parseListen("0.0.0.0:9800").getPort()).isEqualTo(9800);
        assertThat(ProbeCommand.parseListen("[::1]:9800").getAddress().isLoopbackAddress()).isTrue();
        assertThat(ProbeCommand.parseListen(":9801").getAddress().isAnyLocalAddress()).isTrue();
    }

    private static ProbeCommand.Options parsedOptions() {
        ProbeCommand.Options o = new ProbeCommand.Options();
        new CommandLine(new Holder(o)).parseArgs();
        return o;
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        ProbeCommand.Options options;

        Holder(ProbeCommand.Options options) {
            this.options = options;
        }
    }
}
