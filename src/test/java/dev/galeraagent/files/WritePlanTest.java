package dev.galeraagent.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one writer: nothing through a link, and a refused plan writes nothing at all. */
class WritePlanTest {
    @TempDir
    Path tmp;

    private Path conf() throws Exception {
        return Files.createDirectories(tmp.resolve("conf"));
    }

    /** The writes of a bootstrap that starts a new cluster, as BootstrapLoop makes them. */
    private static WritePlan bootstrapWrites(Path conf) {
        Path once = conf.resolve("galera-once.d");
        return new WritePlan()
                .directory(conf, once)
                .delete(conf, once.resolve("bootstrap.cnf"))
                .delete(conf, conf.resolve("bootstrap-request.json"))
                .write(conf, conf.resolve("bootstrap-request.json"), "{\"plan\":\"NEW_CLUSTER\"}\n", "rw-r--r--")
                .write(conf, once.resolve("bootstrap.cnf"), "[galera]\nwsrep_new_cluster=1\n", "rw-r--r--")
                .write(conf, conf.resolve("galera.cnf"), "[galera]\n", "rw-r--r--");
    }

    private static long filesUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aPlanWritesEverythingInOrderWithItsPermissions() throws Exception {
        Path conf = conf();
        bootstrapWrites(conf).apply();
        assertThat(conf.resolve("galera-once.d/bootstrap.cnf")).hasContent("[galera]\nwsrep_new_cluster=1");
        assertThat(conf.resolve("bootstrap-request.json")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf.resolve("galera.cnf")))).isEqualTo("rw-r--r--");
        assertThat(filesUnder(conf)).as("no temp file left").isEqualTo(3);
    }

    @Test
    void aSymlinkedOneShotDirectoryIsRefusedAndNothingLandsInItsTarget() throws Exception {
        Path conf = conf();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(conf.resolve("galera-once.d"), elsewhere);
        assertThatThrownBy(() -> bootstrapWrites(conf).apply()).isInstanceOf(UnsafeFileException.class)
                .hasMessage(conf.resolve("galera-once.d") + " is a symbolic link, not a directory; refusing to write "
                        + conf.resolve("galera-once.d") + " through it");
        assertThat(filesUnder(elsewhere)).isZero();
        assertThat(filesUnder(conf)).as("a refused plan writes nothing").isZero();
    }

    @Test
    void aSymlinkedGaleraCnfIsRefusedBeforeTheHandOffOrTheOneShotFileIsWritten() throws Exception {
        Path conf = conf();
        Files.writeString(tmp.resolve("target.cnf"), "theirs\n");
        Files.createSymbolicLink(conf.resolve("galera.cnf"), tmp.resolve("target.cnf"));
        assertThatThrownBy(() -> bootstrapWrites(conf).apply()).isInstanceOf(UnsafeFileException.class)
                .hasMessage(conf.resolve("galera.cnf") + " is a symbolic link; refusing to write through it")
                .extracting(e -> ((UnsafeFileException) e).file()).isEqualTo(conf.resolve("galera.cnf"));
        assertThat(conf.resolve("bootstrap-request.json")).doesNotExist();
        assertThat(conf.resolve("galera-once.d")).doesNotExist();
        assertThat(tmp.resolve("target.cnf")).hasContent("theirs");
    }

    @Test
    void aSymlinkedGrastateIsNamedAsSuch() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("real"), "seqno: 1\n");
        Files.createSymbolicLink(data.resolve("grastate.dat"), tmp.resolve("real"));
        WritePlan plan = new WritePlan().replaceKeepingOwner(data, data.resolve("grastate.dat"), "safe_to_bootstrap: 1\n");
        assertThatThrownBy(plan::check).hasMessage(data.resolve("grastate.dat") + " is a symbolic link; refusing to write through it");
        assertThat(tmp.resolve("real")).hasContent("seqno: 1");
    }

    @Test
    void replacingKeepsTheFilesPermissions() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path g = data.resolve("grastate.dat");
        Files.writeString(g, "old\n");
        Files.setPosixFilePermissions(g, PosixFilePermissions.fromString("rw-rw----"));
        new WritePlan().replaceKeepingOwner(data, g, "new\n").apply();
        assertThat(g).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(g))).isEqualTo("rw-rw----");
        assertThat(Files.getOwner(g)).isEqualTo(Files.getOwner(data));
    }

    @Test
    void aFifoOrDirectoryInPlaceOfATargetIsRefused() throws Exception {
        Path conf = conf();
        HostileFiles.fifo(conf.resolve("galera.cnf"));
        assertThatThrownBy(() -> bootstrapWrites(conf).check()).hasMessage(conf.resolve("galera.cnf") + " is a FIFO, socket or device; refusing to write through it");
        Files.delete(conf.resolve("galera.cnf"));
        Files.createDirectory(conf.resolve("bootstrap-request.json"));
        assertThatThrownBy(() -> bootstrapWrites(conf).check()).hasMessage(conf.resolve("bootstrap-request.json") + " is a directory; refusing to delete it");
    }

    @Test
    void aPathOutsideItsRootIsAProgrammingError() throws Exception {
        Path conf = conf();
        assertThatThrownBy(() -> new WritePlan().write(conf, conf.resolve("../x"), "", "rw-r--r--")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theAtomicWriterAloneRefusesALinkedDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(tmp.resolve("once"), elsewhere);
        assertThatThrownBy(() -> AtomicFiles.writeString(tmp.resolve("once/bootstrap.cnf"), "x", "rw-r--r--")).isInstanceOf(UnsafeFileException.class)
                .hasMessage(tmp.resolve("once") + " is a symbolic link, not a directory; refusing to write " + tmp.resolve("once/bootstrap.cnf") + " through it");
        assertThat(filesUnder(elsewhere)).isZero();
    }
}
