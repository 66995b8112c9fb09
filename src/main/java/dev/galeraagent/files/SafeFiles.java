package dev.galeraagent.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The one reader of the files the agent reads from its volumes (grastate.dat, the hand-off JSON, ...):
 * only regular files, never through a symbolic link, never more than a cap. Another process with write
 * access to the data or config volume must not be able to hang the agent (a FIFO or a device blocks an
 * ordinary open or read), exhaust its memory (a huge file) or point it at another file (a link).
 *
 * <p>The file is first examined without following links ({@code lstat}); only a regular file within the
 * cap is opened, and the open itself refuses a link ({@code O_NOFOLLOW}), so a link swapped in after the
 * check fails to open. The read stops after the cap, so a file that grows meanwhile costs at most the cap.
 * What remains: a FIFO swapped in within the microseconds between the check and the open blocks that one
 * read. The JDK cannot open without blocking ({@code O_NONBLOCK}); whoever can do that swap already
 * writes the directory the database trusts.
 */
public final class SafeFiles {
    /** grastate.dat, gvwstate.dat and other small text files Galera writes: a few hundred bytes in practice. */
    public static final int SMALL_FILE_MAX = 64 * 1024;
    /** The JSON documents the agent writes for itself (the bootstrap hand-off). */
    public static final int JSON_MAX = 1024 * 1024;

    private SafeFiles() {
    }

    /** The content of {@code file}, or empty when there is nothing at that path. */
    public static Optional<byte[]> readIfPresent(Path file, int maxBytes) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        requireRegular(file, attrs);
        if (attrs.size() > maxBytes) {
            throw tooLarge(file, attrs.size() + " bytes", maxBytes);
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes + 1L, Math.max(attrs.size() + 1, 512)));
            while (ch.read(buf) > 0) {
                if (!buf.hasRemaining()) {
                    if (buf.capacity() > maxBytes) {
                        throw tooLarge(file, "growing", maxBytes);
                    }
                    buf = ByteBuffer.allocate((int) Math.min(maxBytes + 1L, buf.capacity() * 2L)).put(buf.flip());
                }
            }
            return Optional.of(Arrays.copyOf(buf.array(), buf.position()));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed between the check and the open
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                // O_NOFOLLOW refused a link swapped in after the check
                throw new UnsafeFileException(file, "is a symbolic link; the agent does not follow links here");
            }
            throw e;
        }
    }

    public static Optional<String> readStringIfPresent(Path file, int maxBytes, Charset charset) throws IOException {
        return readIfPresent(file, maxBytes).map(b -> new String(b, charset));
    }

    /** @throws NoSuchFileException when there is nothing at {@code file} */
    public static String readString(Path file, int maxBytes, Charset charset) throws IOException {
        return readStringIfPresent(file, maxBytes, charset).orElseThrow(() -> new NoSuchFileException(file.toString()));
    }

    /** True when anything is at {@code file}, a dangling link included; never opens it. */
    public static boolean isPresent(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    static void requireRegular(Path file, BasicFileAttributes attrs) throws UnsafeFileException {
        if (!attrs.isRegularFile()) {
            throw new UnsafeFileException(file, "is " + kind(attrs) + ", not a regular file; the agent only reads regular files here");
        }
    }

    static String kind(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (attrs.isDirectory()) {
            return "a directory";
        }
        return "a FIFO, socket or device";
    }

    private static UnsafeFileException tooLarge(Path file, String size, int maxBytes) {
        return new UnsafeFileException(file, "is too large (" + size + "; at most " + maxBytes + " bytes are read from this file)");
    }
}
