package dev.galeraagent.install;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The installer's file primitives: none follows a symbolic link, so a link planted in the target directory (or in an old
 * copy) is replaced or removed, never written or deleted through.
 */
final class NoFollowFiles {
    private NoFollowFiles() {
    }

    /**
     * Copies {@code source} to {@code target} under {@code root}, a new file (never through a link), with its mode and
     * modification time, the directories between made as needed; forced to disk.
     */
    static void copy(Path source, Path root, Path target) throws IOException {
        Path parent = target.getParent();
        if (!parent.equals(root)) {
            createDirectoriesNoFollow(root, parent);
        }
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, size - done, out);
                if (n <= 0) {
                    throw new IOException("short copy of " + source);
                }
                done += n;
            }
            out.force(true);
        }
        BasicFileAttributes attrs = Files.readAttributes(source, BasicFileAttributes.class);
        Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
        // keep the build's times: the AOT caches check the jars' size and modification time
        Files.setLastModifiedTime(target, attrs.lastModifiedTime());
    }

    static void createDirectoriesNoFollow(Path root, Path dir) throws IOException {
        Path current = root;
        for (Path part : root.relativize(dir)) {
            current = current.resolve(part);
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
                Files.setPosixFilePermissions(current, Installer.DIR_PERMS);
            }
        }
    }

    /** Writes a new file (never through a link), forced to disk, mode 0644. */
    static void writeNew(Path target, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            out.write(java.nio.ByteBuffer.wrap(bytes));
            out.force(true);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Deletes a tree without following symlinks: a link inside is removed, never its target. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #deleteTree}, for a clean-up that may fail: the next install removes what is left (it matches the prefix). */
    static void deleteQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException ignored) {
            // the next install removes what is left (it matches PREFIX)
        }
    }

    /** True when {@code p}'s directory, if it exists, is inside {@code root} once links are resolved. */
    static boolean insideReal(Path root, Path p) throws IOException {
        Path parent = p.getParent();
        return !Files.exists(parent) || parent.toRealPath().startsWith(root.toRealPath());
    }
}
