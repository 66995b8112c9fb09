package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.errors.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's contract without mariadbd: what it prints on stdout (arguments only) and its one-line errors. */
class PrepareStartCommandTest {
    private static final String CLEAN = "# GALERA saved state\nversion: 2.1\nuuid:    6f1c1e3a-9b7d-11f0-8a0b-4b5f2e7c9d01\nseqno:   42\nsafe_to_bootstrap: 0\n";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    private int run(String... args) {
        return AgentCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private Path dirs() throws Exception {
        Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(tmp.resolve("conf/galera-once.d"));
        return tmp;
    }

    @Test
    void aCleanStopPrintsNoArgumentsAndNeedsNoMariadbd() throws Exception {
        dirs();
        Files.writeString(tmp.resolve("data/grastate.dat"), CLEAN);
        assertThat(run("prepare-start", "--datadir", tmp.resolve("data").toString(), "--config-dir", tmp.resolve("conf").toString(),
                "--mariadbd", "/nonexistent/mariadbd")).isZero();
        assertThat(out.toString()).isEqualTo(System.lineSeparator());
    }

    @Test
    void aSpentBootstrapIsRemovedEvenAfterACleanStop() throws Exception {
        dirs();
        Path once = tmp.resolve("conf/galera-once.d/bootstrap.cnf");
        Files.writeString(once, "[galera]\nwsrep_new_cluster\nwsrep_start_position = 6f1c1e3a-9b7d-11f0-8a0b-4b5f2e7c9d01:40\n");
        Files.setLastModifiedTime(once, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.writeString(tmp.resolve("data/grastate.dat"), CLEAN);
        assertThat(run("prepare-start", "--datadir", tmp.resolve("data").toString(), "--config-dir", tmp.resolve("conf").toString())).isZero();
        assertThat(once).doesNotExist();
        assertThat(out.toString().strip()).isEmpty();
    }

    @Test
    void aOneShotFileNobodyWroteIsAOneLineIoError() throws Exception {
        dirs();
        Files.writeString(tmp.resolve("conf/galera-once.d/bootstrap.cnf"), "[galera]\nwsrep_cluster_address = gcomm://\n");
        assertThat(run("prepare-start", "--datadir", tmp.resolve("data").toString(), "--config-dir", tmp.resolve("conf").toString()))
                .isEqualTo(ExitCode.IO.code());
        assertThat(err.toString().strip().split("\n")).hasSize(1);
        assertThat(err.toString()).startsWith("agent: the one-shot file ").contains("wsrep_cluster_address");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMissingDataDirectoryIsAOneLineIoError() {
        assertThat(run("prepare-start", "--datadir", tmp.resolve("nope").toString(), "--config-dir", tmp.toString())).isEqualTo(ExitCode.IO.code());
        assertThat(err.toString().strip()).isEqualTo("agent: data directory " + tmp.resolve("nope") + " does not exist (--datadir)");
    }

    @Test
    void helpShowsTheContainerUsage() {
        assertThat(run("prepare-start", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: agent prepare-start").contains("(env: AGENT_DEFAULTS_FILE)");
    }
}
