package dev.galeraagent.cli;

import dev.galeraagent.errors.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.install.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    private int run(String... args) {
        return AgentCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @AfterEach
    void clearHome() {
        System.clearProperty(InstallCommand.HOME_PROPERTY);
    }

    private Path packagedHome() throws IOException {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("bin/agent"), "#!/bin/sh\n");
        Files.write(home.resolve(Manifest.FILE_NAME), Manifest.of(home).bytes());
        return home;
    }

    @Test
    void helpShowsEveryOptionWithItsEnvironmentTwin() {
        assertThat(run("install", "--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("--to=DIR").contains("(env: AGENT_TO)").contains("Default: /work-dir")
                .contains("--dry-run").contains("(env: AGENT_DRY_RUN)").contains("(env: AGENT_VERBOSE)");
    }

    @Test
    void aBadOptionIsUsageErrorOnOneLinePlusHint() {
        assertThat(run("install", "--bogus")).isEqualTo(ExitCode.USAGE.code());
        String[] lines = err.toString().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("agent: ").contains("--bogus");
        assertThat(lines[1]).contains("agent install --help");
    }

    @Test
    void withoutThePackagedHomeItSaysHowToGetOne() {
        assertThat(run("install", "--to", tmp.toString())).isEqualTo(ExitCode.ENVIRONMENT.code());
        assertThat(err.toString().strip()).startsWith("agent: install copies the packaged agent").doesNotContain("\n").contains("./mvnw package");
    }

    @Test
    void aNormalRunPrintsOneSummaryLineThenTheSecondSaysNothingToDo() throws IOException {
        System.setProperty(InstallCommand.HOME_PROPERTY, packagedHome().toString());
        Path dir = Files.createDirectories(tmp.resolve("work-dir"));

        assertThat(run("install", "--to", dir.toString())).isZero();
        assertThat(out.toString()).matches("installed agent \\S+ into " + dir + ": 2 files, \\d+ bytes, \\d+ ms\\n");
        assertThat(err.toString()).isEmpty();

        out.getBuffer().setLength(0);
        assertThat(run("install", "--to", dir.toString())).isZero();
        assertThat(out.toString()).matches("agent \\S+ is already installed in " + dir + ": nothing to do \\(\\d+ ms\\)\\n");
    }

    @Test
    void aMissingTargetExitsWithTheIoCodeAndOneLine() throws IOException {
        System.setProperty(InstallCommand.HOME_PROPERTY, packagedHome().toString());

        assertThat(run("install", "--to", tmp.resolve("missing").toString())).isEqualTo(ExitCode.IO.code());
        assertThat(err.toString().strip()).isEqualTo("agent: target directory " + tmp.resolve("missing")
                + " does not exist; create it (in Kubernetes: mount a volume there)");
    }
}
