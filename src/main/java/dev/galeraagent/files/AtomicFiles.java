package dev.galeraagent.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place that writes files atomically: temp file in the same directory, fsync, rename, fsync the directory.
 *
 * <p>Neither the file nor its directory may be a symbolic link: a link planted in a shared volume must
 * not redirect a write (a one-shot {@code wsrep_new_cluster} landing elsewhere). The directory is checked
 * without following links, then opened, and the opened directory must be the one checked (same device and
 * inode); the temp file is created, and renamed, relative to that open directory ({@code openat},
 * {@code renameat}), so swapping the directory for a link after the check changes nothing.
 * To refuse a whole set of writes before the first one, use {@link WritePlan}.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void writeString(Path target, String content, String posixPermissions) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8), posixPermissions);
    }

    /**
     * Replaces {@code target} with {@code content} so that a reader (or a crash) sees either the old
     * file or the whole new one. {@code posixPermissions} is like {@code rw-r--r--}.
     *
     * @throws UnsafeFileException when {@code target} is a link or no regular file, or its directory is a link
     */
    public static void write(Path target, byte[] content, String posixPermissions) throws IOException {
        write(target, content, PosixFilePermissions.fromString(posixPermissions), Optional.empty());
    }

    /**
     * Replaces an existing regular file keeping its owner and permissions (grastate.dat stays mysqld's when
     * the agent runs as root).
     */
    public static void replaceKeepingOwner(Path target, byte[] content) throws IOException {
        PosixFileAttributes old = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        checkTarget(target, old);
        write(target, content, old.permissions(), Optional.of(old.owner()));
    }

    static void write(Path target, byte[] content, Set<PosixFilePermission> perms, Optional<UserPrincipal> owner) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path name = abs.getFileName();
        BasicFileAttributes dirAttrs = checkDirectory(dir, abs);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
                throw new IOException("cannot write " + abs + " safely: this file system offers no openat/renameat");
            }
            Object opened = sds.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
            if (!Objects.equals(opened, dirAttrs.fileKey())) {
                throw new UnsafeFileException(dir, "was replaced while " + name + " was being written");
            }
            checkTarget(abs, attributesIn(sds, name));
            Path tmp = dir.getFileSystem().getPath("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                try (SeekableByteChannel ch = sds.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(perms))) {
                    ByteBuffer buf = ByteBuffer.wrap(content);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ((FileChannel) ch).force(true);
                }
                PosixFileAttributeView view = sds.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                view.setPermissions(perms); // the umask narrowed the mode given at creation
                if (owner.isPresent()) {
                    view.setOwner(owner.get());
                }
                sds.move(tmp, sds, name);
                tmp = null;
            } finally {
                if (tmp != null) {
                    try {
                        sds.deleteFile(tmp);
                    } catch (NoSuchFileException e) {
                        // never created
                    }
                }
            }
        }
        fsyncDirectory(dir);
    }

    private static BasicFileAttributes attributesIn(SecureDirectoryStream<Path> sds, Path name) throws IOException {
        try {
            return sds.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The directory a file goes into must be a directory, and not through a link. */
    static BasicFileAttributes checkDirectory(Path dir, Path forFile) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(dir.toString(), null, "directory of " + forFile.getFileName() + " does not exist");
        }
        if (!a.isDirectory()) {
            throw new UnsafeFileException(dir, "is " + SafeFiles.kind(a) + ", not a directory; refusing to write " + forFile + " through it");
        }
        return a;
    }

    /** What a write replaces must be nothing, or a regular file: never a link, FIFO, device or directory. */
    static void checkTarget(Path target, BasicFileAttributes existing) throws UnsafeFileException {
        if (existing != null && !existing.isRegularFile()) {
            throw new UnsafeFileException(target, "is " + SafeFiles.kind(existing) + "; refusing to write through it");
        }
    }

    /** Makes a rename in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
