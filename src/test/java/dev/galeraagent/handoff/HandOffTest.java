package dev.galeraagent.handoff;

import static org.assertj.core.api.Assertions.assertThat;

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
}
