package dev.galeraagent.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aRegularFileIsReadAndAMissingOneIsEmpty() throws Exception {
        Files.writeString(tmp.resolve("grastate.dat"), "seqno: 5\n");
        assertThat(SafeFiles.readStringIfPresent(tmp.resolve("grastate.dat"), 64, StandardCharsets.UTF_8)).hasValue("seqno: 5\n");
        assertThat(SafeFiles.readIfPresent(tmp.resolve("nothing"), 64)).isEmpty();
        assertThatThrownBy(() -> SafeFiles.readString(tmp.resolve("nothing"), 64, StandardCharsets.UTF_8)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aFileOfExactlyTheCapIsReadAndOneByteMoreIsRefused() throws Exception {
        Files.write(tmp.resolve("a"), new byte[1000]);
        assertThat(SafeFiles.readIfPresent(tmp.resolve("a"), 1000)).get().extracting(b -> b.length).isEqualTo(1000);
        assertThatThrownBy(() -> SafeFiles.readIfPresent(tmp.resolve("a"), 999)).isInstanceOf(UnsafeFileException.class)
                .hasMessage(tmp.resolve("a") + " is too large (1000 bytes; at most 999 bytes are read from this file)");
    }

    @Test
    void aFifoIsRefusedAtOnceInsteadOfBlocking() throws Exception {
        Path fifo = HostileFiles.fifo(tmp.resolve("grastate.dat"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(() -> SafeFiles.readIfPresent(fifo, 64))
                .isInstanceOf(UnsafeFileException.class).hasMessageContaining("grastate.dat is a FIFO, socket or device, not a regular file"));
    }

    @Test
    void aDeviceIsRefused() {
        assertThatThrownBy(() -> SafeFiles.readIfPresent(Path.of("/dev/zero"), 64)).isInstanceOf(UnsafeFileException.class)
                .hasMessageContaining("/dev/zero is a FIFO, socket or device");
    }

    @Test
    void aSymbolicLinkIsNotFollowedEvenToAGoodFile() throws Exception {
        Files.writeString(tmp.resolve("elsewhere"), "secret");
        Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("elsewhere"));
        assertThatThrownBy(() -> SafeFiles.readIfPresent(tmp.resolve("link"), 64)).isInstanceOf(UnsafeFileException.class)
                .hasMessage(tmp.resolve("link") + " is a symbolic link, not a regular file; the agent only reads regular files here");
        assertThat(SafeFiles.isPresent(tmp.resolve("link"))).isTrue();
        Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("gone"));
        assertThat(SafeFiles.isPresent(tmp.resolve("dangling"))).isTrue();
    }

    @Test
    void aHugeSparseFileIsRefusedWithoutReadingIt() throws Exception {
        Path huge = HostileFiles.huge(tmp.resolve("grastate.dat"), 400L * 1024 * 1024);
        assertThatThrownBy(() -> SafeFiles.readIfPresent(huge, SafeFiles.SMALL_FILE_MAX)).isInstanceOf(UnsafeFileException.class)
                .hasMessageContaining("is too large (419430400 bytes; at most 65536 bytes");
    }

    @Test
    void aDirectoryIsRefused() throws Exception {
        Files.createDirectory(tmp.resolve("d"));
        assertThatThrownBy(() -> SafeFiles.readIfPresent(tmp.resolve("d"), 64)).hasMessageContaining("is a directory, not a regular file");
    }
}
