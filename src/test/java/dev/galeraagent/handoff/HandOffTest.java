package dev.galeraagent.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.position.Position;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandOffTest {
    @TempDir
    Path tmp;

    @Test
    void completeClearsTheOneShotsUnderItsOwnMountAndNeverThePathTheRequestNames() throws Exception {
        // agent bootstrap saw the config volume at /etc/mysql/conf.d; this sidecar mounts it elsewhere
        Path conf = Files.createDirectories(tmp.resolve("sidecar-mount"));
        Path once = Files.createDirectories(conf.resolve(HandOff.ONE_SHOT_DIR)).resolve("bootstrap.cnf");
        Files.writeString(once, "[mysqld]\nwsrep_new_cluster\n");
        Path elsewhere = Files.writeString(tmp.resolve("not-ours.cnf"), "keep me\n");
        HandOff request = new HandOff("NEW_CLUSTER", "galera-0", 0, null, elsewhere.toString(), List.of("fresh"),
                "2026-11-26T10:00:00Z", "test");
        Files.writeString(conf.resolve(HandOff.REQUEST), request.toJson());

        HandOff.complete(conf);

        assertThat(once).as("the one-shot file a restart of mariadbd would read").doesNotExist();
        assertThat(elsewhere).as("a path named in the request, outside the volume").exists();
        assertThat(conf.resolve(HandOff.REQUEST)).doesNotExist();
        assertThat(conf.resolve(HandOff.DONE)).exists();
    }

    @Test
    void clearingOneShotsRefusesASymlinkedOneShotDirectoryAndDeletesNothingWhereItPoints() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("conf-linked"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("important.cnf"), "[mysqld]\n");
        Files.createSymbolicLink(conf.resolve(HandOff.ONE_SHOT_DIR), elsewhere);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HandOff.clearOneShots(conf))
                .isInstanceOf(dev.galeraagent.files.UnsafeFileException.class)
                .hasMessage(conf.resolve(HandOff.ONE_SHOT_DIR) + " is a symbolic link; refusing to delete the one-shot files through it");
        assertThat(elsewhere.resolve("important.cnf")).exists();
    }

    @Test
    void aFifoOrHugeFileAsTheRequestIsRefusedWithoutBlocking() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("conf-fifo"));
        dev.galeraagent.files.HostileFiles.fifo(conf.resolve(HandOff.REQUEST));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () ->
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> HandOff.pending(conf)).hasMessageContaining("is a FIFO"));
        Files.delete(conf.resolve(HandOff.REQUEST));
        dev.galeraagent.files.HostileFiles.huge(conf.resolve(HandOff.DONE), 40L * 1024 * 1024);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HandOff.done(conf)).hasMessageContaining("is too large");
    }

    @Test
    void aHandOffWrittenByTheAgentBeforePositionWasATypeReadsAndWritesBackByteForByte() {
        // written by the agent of commit a9feb7c, whose HandOff held the position as a string
        String bootstrapFromHere = "{\"plan\":\"BOOTSTRAP_FROM_HERE\",\"pod\":\"galera-1\",\"ordinal\":1,"
                + "\"position\":\"6b2f1a4e-0000-11ef-8000-000000000001:42\",\"one_shot_file\":\"/etc/mysql/conf.d/galera-once.d/bootstrap.cnf\","
                + "\"reasons\":[\"pod 1 has the highest seqno 42 (ties go to the lowest ordinal)\"],\"time\":\"2026-11-26T10:00:00Z\","
                + "\"agent_version\":\"1.0.0\",\"replicas\":3}";
        String newCluster = "{\"plan\":\"NEW_CLUSTER\",\"pod\":\"galera-0\",\"ordinal\":0,"
                + "\"one_shot_file\":\"/etc/mysql/conf.d/galera-once.d/bootstrap.cnf\",\"reasons\":[\"no pod has state\"],"
                + "\"time\":\"2026-11-26T10:00:00Z\",\"agent_version\":\"1.0.0\",\"replicas\":3}";
        HandOff read = HandOff.parse(bootstrapFromHere);
        assertThat(read.position()).isEqualTo(new Position(java.util.UUID.fromString("6b2f1a4e-0000-11ef-8000-000000000001"), 42));
        assertThat(read.toJson()).isEqualTo(bootstrapFromHere);
        assertThat(HandOff.parse(newCluster).position()).isNull();
        assertThat(HandOff.parse(newCluster).toJson()).isEqualTo(newCluster);
        assertThat(new HandOff("BOOTSTRAP_FROM_HERE", "galera-1", 1, read.position(), "/etc/mysql/conf.d/galera-once.d/bootstrap.cnf",
                List.of("pod 1 has the highest seqno 42 (ties go to the lowest ordinal)"), "2026-11-26T10:00:00Z", "1.0.0", 3).toJson())
                .isEqualTo(bootstrapFromHere);
    }
}
