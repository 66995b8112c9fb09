package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The timeline read from log files written as the harness, the agent and mariadbd write them; no cluster started. */
class TimelineTest {
    @TempDir
    Path log;

    @Test
    void thePhasesOfThePodsFirstStartAfterTheOutageAreReadFromItsLogsAndAnEarlierStartIsIgnored() throws Exception {
        Files.writeString(log.resolve("install.log"), """
                === 2026-12-01T20:50:00.000000000Z start install
                installed agent
                === 2026-12-01T20:52:42.500000000Z start install
                installed agent 0.1.0: 149 files, 149794409 bytes, 2976 ms
                """);
        Files.writeString(log.resolve("bootstrap.log"), """
                === 2026-12-01T20:50:04.000000000Z start bootstrap
                2026-12-01T20:50:09.000Z INFO  [bootstrap] bootstrap summary: decision=NEW_CLUSTER total=1.00s identity=0.01s
                === 2026-12-01T20:52:46.000000000Z start bootstrap
                2026-12-01T20:52:53.276Z INFO  [bootstrap] recovered position u:838 with mariadbd --wsrep-recover in 1.4s
                2026-12-01T20:52:55.000Z INFO  [bootstrap] bootstrap summary: decision=BOOTSTRAP_FROM_HERE total=5.00s identity=0.05s dns=0.25s recover=1.50s election=2.00s lease=0.10s publish=0.05s config=0.05s
                """);
        Files.writeString(log.resolve("mariadb.log"), """
                === 2026-12-01T20:52:55.400000000Z start mariadb
                2026-12-01T20:52:56.500Z INFO  [prepare-start] the one-shot settings are still pending
                entry: exec mariadbd
                """);
        Files.writeString(log.resolve("error.log"), """
                2026-12-01 20:50:12 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 1
                2026-12-01 20:52:57 0 [Note] Starting MariaDB 10.11.19-MariaDB as process 1
                2026-12-01 20:52:59 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 1
                2026-12-01 20:52:59 0 [Note] WSREP: Shifting JOINED -> SYNCED (TO: 838)
                """);

        Timeline t = Timeline.read("galera-0", log, Instant.parse("2026-12-01T20:52:40Z"));

        assertThat(t.decision()).isEqualTo("BOOTSTRAP_FROM_HERE");
        assertThat(t.since(Timeline.Milestone.POD_START)).isEqualTo(Duration.ofMillis(2500));
        assertThat(t.between(Timeline.Milestone.POD_START, Timeline.Milestone.BOOTSTRAP_START)).isEqualTo(Duration.ofMillis(3500));
        assertThat(t.between(Timeline.Milestone.BOOTSTRAP_START, Timeline.Milestone.AGENT_RUN)).isEqualTo(Duration.ofSeconds(4));
        assertThat(t.phase("election")).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.between(Timeline.Milestone.CONFIG_WRITTEN, Timeline.Milestone.MARIADB_START)).isEqualTo(Duration.ofMillis(400));
        assertThat(t.between(Timeline.Milestone.MARIADB_START, Timeline.Milestone.MARIADBD_EXEC)).isEqualTo(Duration.ofMillis(1100));
        assertThat(t.since(Timeline.Milestone.PRIMARY)).isEqualTo(Duration.ofSeconds(19));
        assertThat(t.since(Timeline.Milestone.SYNCED)).isEqualTo(Duration.ofSeconds(19));
        assertThat(t.row()).startsWith("| galera-0 | BOOTSTRAP_FROM_HERE | 2.5 | 3.5 | 4.0 | 0.3 | 1.5 | 2.0 | 0.1 | 0.1 | 0.1 | 0.4 | 1.1 | 2.5 | 0.0 | 19.0 | 19.0 |");
    }

    @Test
    void aPodThatDidNotStartAfterTheOutageHasNoPhases() throws Exception {
        Files.writeString(log.resolve("install.log"), "=== 2026-12-01T20:50:00.000000000Z start install\n");
        Timeline t = Timeline.read("galera-1", log, Instant.parse("2026-12-01T20:52:40Z"));
        assertThat(t.at()).isEmpty();
        assertThat(t.row()).isEqualTo("| galera-1 | - | - | - | - | - | - | - | - | - | - | - | - | - | - | - | - |");
    }

    @Test
    void mariadbdsErrorLogLinesBeforeTenOClockWithAOneDigitHourAreRead() throws Exception {
        Files.writeString(log.resolve("install.log"), "=== 2026-12-02T01:44:40.000000000Z start install\n");
        Files.writeString(log.resolve("mariadb.log"), "=== 2026-12-02T01:44:42.420000000Z start mariadb\n");
        Files.writeString(log.resolve("error.log"), """
                2026-12-02  1:44:59 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 3
                2026-12-02  1:45:01 2 [Note] WSREP: Synchronized with group, ready for connections
                """);
        Timeline t = Timeline.read("galera-0", log, Instant.parse("2026-12-02T01:44:38Z"));
        assertThat(t.since(Timeline.Milestone.PRIMARY)).isEqualTo(Duration.ofSeconds(21));
        assertThat(t.since(Timeline.Milestone.SYNCED)).isEqualTo(Duration.ofSeconds(23));
    }
}
