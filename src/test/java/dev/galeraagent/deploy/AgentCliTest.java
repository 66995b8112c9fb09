package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The fallback contract read from docs/architecture.md: it must read what the document says. */
class AgentCliTest {
    @Test
    void documentedBootstrapOptionsCarryTheirEnvTwinsFromTheTable() {
        AgentCli.Contract c = AgentCli.documented(List.of("bootstrap"));
        assertThat(c.optionEnv())
                .containsEntry("--pod-name", "POD_NAME")
                .containsEntry("--pod-ip", "POD_IP")
                .containsEntry("--dns-server", "AGENT_DNS_SERVER")
                .containsEntry("--secret-config", "AGENT_SECRET_CONFIG")
                .containsEntry("--extra-config", "AGENT_EXTRA_CONFIG")
                .containsEntry("--status-port", "AGENT_STATUS_PORT")
                .containsEntry("--kubeconfig", "KUBECONFIG")
                .containsEntry("--force-bootstrap-from", "AGENT_FORCE_BOOTSTRAP_FROM")
                .containsEntry("--recovery-quorum", "AGENT_RECOVERY_QUORUM")
                .containsEntry("--verbose", "AGENT_VERBOSE");
        assertThat(c.optionEnv()).doesNotContainKey("--listen");
    }

    @Test
    void everyDocumentedEnvTwinFollowsTheNamingRule() {
        for (List<String> path : List.of(List.of("install"), List.of("bootstrap"), List.of("probe", "serve"))) {
            AgentCli.documented(path).optionEnv().forEach((option, env) -> assertThat(env).as(option).isEqualTo(AgentCli.ruleEnv(option)));
        }
    }

    @Test
    void documentedProbeModesAndOptionsIncludeThePasswordEnvWithoutAnOption() {
        AgentCli.Contract serve = AgentCli.documented(List.of("probe", "serve"));
        assertThat(serve.optionEnv())
                .containsEntry("--listen", "AGENT_LISTEN")
                .containsEntry("--password-file", "AGENT_PASSWORD_FILE")
                .containsEntry("--user", "AGENT_USER")
                .containsEntry("--available-when-donor", "AGENT_AVAILABLE_WHEN_DONOR")
                .containsEntry("--datadir", "AGENT_DATADIR");
        assertThat(serve.otherEnv()).containsExactly("AGENT_PASSWORD");
        for (String mode : List.of("liveness", "readiness", "startup")) {
            assertThat(AgentCli.documented(List.of("probe", mode)).path()).containsExactly("probe", mode);
        }
        assertThatThrownBy(() -> AgentCli.documented(List.of("probe", "health"))).hasMessageContaining("probe health");
    }

    @Test
    void documentedInstallTakesTo() {
        assertThat(AgentCli.documented(List.of("install")).optionEnv()).containsEntry("--to", "AGENT_TO").containsKey("--dry-run");
    }

    @Command(name = "agent")
    static final class FakeAgent {
    }

    @Command(name = "bootstrap")
    static final class FakeBootstrap {
        @Option(names = "--status-port", defaultValue = "${env:AGENT_STATUS_PORT:-9800}", description = "Port. (env: AGENT_STATUS_PORT)")
        int statusPort;

        @Option(names = "--dry-run", defaultValue = "${env:AGENT_DRY_RUN:-false}", description = "Dry. (env: AGENT_DRY_RUN)")
        boolean dryRun;
    }

    /** A small picocli tree standing in for main's, to prove the strict path judges by the real parser. */
    static final Supplier<CommandLine> FAKE = () -> new CommandLine(new FakeAgent()).addSubcommand(new FakeBootstrap());

    @Test
    void realCliPathUsesPicocliAndRejectsWhatItRejects() {
        assertThat(AgentCli.check(FAKE, List.of("bootstrap", "--status-port", "9800"))).isEqualTo(AgentCli.Source.PICOCLI);
        assertThatThrownBy(() -> AgentCli.check(FAKE, List.of("bootstrap", "--status-prot", "9800"))).hasMessageContaining("rejected by the real CLI");
        assertThatThrownBy(() -> AgentCli.check(FAKE, List.of("bootstrap", "--status-port", "ninety"))).hasMessageContaining("rejected by the real CLI");
        assertThat(AgentCli.check(List.of("help"))).as("main's own help subcommand").isEqualTo(AgentCli.Source.PICOCLI);
    }

    @Test
    void environmentValuesAreParsedAsTheirOptionsByTheRealCli() {
        AgentCli.checkValues(FAKE, List.of("bootstrap"), Map.of("AGENT_STATUS_PORT", "9800", "AGENT_DRY_RUN", "true"));
        assertThatThrownBy(() -> AgentCli.checkValues(FAKE, List.of("bootstrap"), Map.of("AGENT_STATUS_PORT", "98OO")))
                .hasMessageContaining("98OO");
        assertThatThrownBy(() -> AgentCli.checkValues(FAKE, List.of("bootstrap"), Map.of("AGENT_STATUS_PROT", "9800")))
                .hasMessageContaining("no option for AGENT_STATUS_PROT");
    }

    @Test
    void documentedProbeEndpointsAreTheArchitecturesPortAndPaths() {
        assertThat(AgentCli.documentedProbeEndpoints()).isEqualTo(new AgentCli.ProbeEndpoints(9800, "/live", "/ready", "/startup"));
    }
}
