package dev.galeraagent.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The one place that writes files atomically: temp file in the same directory, fsync, rename, fsync the directory. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void writeString(Path target, String content, String posixPermissions) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8), posixPermissions);
    }

    /**
     * Replaces {@code target} with {@code content} so that a reader (or a crash) sees either the old
     * file or the whole new one. {@code posixPermissions} is like {@code rw-r--r--}.
     * Refuses to replace a symlink, so a link planted in a shared volume cannot redirect the write.
     */
    public static void write(Path target, byte[] content, String posixPermissions) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (Files.isSymbolicLink(target)) {
            throw new IOException(target + " is a symbolic link; refusing to write through it");
        }
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(posixPermissions);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(perms));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, perms);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically into " + dir + ": " + e.getMessage(), e);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Makes a rename in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
