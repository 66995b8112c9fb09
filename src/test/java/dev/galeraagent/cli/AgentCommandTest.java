package dev.galeraagent.cli;

import dev.galeraagent.status.Version;
import dev.galeraagent.errors.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class AgentCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return AgentCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void helpListsExitCodesAndSucceeds() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("Usage: agent").contains("Exit codes:").contains("(env: AGENT_VERBOSE)");
    }

    @Test
    void versionPrintsTheBuildVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("agent " + Version.get()).doesNotContain("unknown");
    }

    @Test
    void unknownOptionIsUsageErrorOnOneLinePlusHint() {
        assertThat(run("--bogus")).isEqualTo(ExitCode.USAGE.code());
        String[] lines = err.toString().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("agent: ").contains("--bogus");
        assertThat(lines[1]).contains("--help");
    }

    @Test
    void noModeIsUsageError() {
        assertThat(run()).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("Missing a mode");
    }

    @Test
    void topLevelHelpListsEveryMode() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("install").contains("bootstrap").contains("probe").contains("status").contains("prepare-start");
    }

    @Test
    void eachModeWorksWhenOnlyThatModeIsBuilt() {
        for (String mode : new String[] {"install", "bootstrap", "probe", "status", "prepare-start"}) {
            assertThat(run(mode, "--help")).as("%s --help", mode).isZero();
            assertThat(out.toString()).contains("Usage: agent " + mode);
        }
        assertThat(run("help", "bootstrap")).isZero();
        assertThat(out.toString()).contains("Usage: agent bootstrap");
    }
}
