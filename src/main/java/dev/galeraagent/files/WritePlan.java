package dev.galeraagent.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of writes that is checked as a whole before the first one happens: plan them, then
 * {@link #apply()} checks every target and every directory on its way, and writes only when all pass.
 * So a refused run writes nothing (before, {@code bootstrap-request.json} and the one-shot file were
 * written before a symlinked {@code galera.cnf} was refused).
 *
 * <p>Each step names the root it lives under: a directory the operator gave (a volume mount, which may
 * itself be reached through links). Every directory between the root and the file must be a real
 * directory (or missing, then it is created), never a link; the file must be missing or a regular file.
 * Each write still goes through {@link AtomicFiles}, which checks its directory again at the moment it writes.
 */
public final class WritePlan {
    private sealed interface Step {
        Path root();

        Path path();
    }

    private record Directory(Path root, Path path) implements Step {
    }

    private record Delete(Path root, Path path) implements Step {
    }

    private record Write(Path root, Path path, byte[] content, String perms) implements Step {
    }

    private record Replace(Path root, Path path, byte[] content) implements Step {
    }

    private final List<Step> steps = new ArrayList<>();

    /** Creates {@code dir} (and missing directories between {@code root} and it) with rwxr-xr-x, unless there. */
    public WritePlan directory(Path root, Path dir) {
        return add(new Directory(root, dir));
    }

    /** Removes {@code file} if present (a link there is removed itself, never followed). */
    public WritePlan delete(Path root, Path file) {
        return add(new Delete(root, file));
    }

    /** Writes {@code file} atomically with {@code posixPermissions} (like {@code rw-r--r--}). */
    public WritePlan write(Path root, Path file, String content, String posixPermissions) {
        PosixFilePermissions.fromString(posixPermissions); // a bad string fails here, not halfway through apply
        return add(new Write(root, file, content.getBytes(StandardCharsets.UTF_8), posixPermissions));
    }

    /** Rewrites an existing regular file, keeping its owner and permissions. */
    public WritePlan replaceKeepingOwner(Path root, Path file, String content) {
        return add(new Replace(root, file, content.getBytes(StandardCharsets.UTF_8)));
    }

    private WritePlan add(Step step) {
        Path root = step.root().toAbsolutePath().normalize();
        Path path = step.path().toAbsolutePath().normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException(path + " is not under " + root);
        }
        steps.add(step);
        return this;
    }

    /** The paths this plan writes, creates or deletes, in order. */
    public List<Path> paths() {
        return steps.stream().map(Step::path).toList();
    }

    /**
     * Checks every step without changing anything.
     *
     * @throws UnsafeFileException naming the first file or directory that is a link, or not what it must be
     */
    public void check() throws IOException {
        for (Step step : steps) {
            Path root = step.root().toAbsolutePath().normalize();
            Path path = step.path().toAbsolutePath().normalize();
            if (!Files.isDirectory(root)) {
                throw new NoSuchFileException(root.toString(), null, "not a directory (needed for " + path + ")");
            }
            Path lastDir = step instanceof Directory ? path : path.getParent();
            Path cur = root;
            for (Path part : root.relativize(lastDir)) {
                cur = cur.resolve(part);
                BasicFileAttributes a = attributes(cur);
                if (a == null) {
                    break; // created by apply (the steps below it are all new)
                }
                if (!a.isDirectory()) {
                    throw new UnsafeFileException(cur, "is " + SafeFiles.kind(a) + ", not a directory; refusing to write " + path + " through it");
                }
            }
            BasicFileAttributes target = step instanceof Directory ? null : attributes(path);
            switch (step) {
                case Directory d -> {
                }
                case Delete d -> {
                    if (target != null && target.isDirectory()) {
                        throw new UnsafeFileException(path, "is a directory; refusing to delete it");
                    }
                }
                case Write w -> AtomicFiles.checkTarget(path, target);
                case Replace r -> {
                    if (target == null) {
                        throw new NoSuchFileException(path.toString(), null, "nothing to rewrite");
                    }
                    AtomicFiles.checkTarget(path, target);
                }
            }
        }
    }

    /** {@link #check()}, then every step in order. */
    public void apply() throws IOException {
        check();
        for (Step step : steps) {
            switch (step) {
                case Directory d -> createDirectories(d.root().toAbsolutePath().normalize(), d.path().toAbsolutePath().normalize());
                case Delete d -> {
                    AtomicFiles.checkDirectory(d.path().toAbsolutePath().getParent(), d.path());
                    Files.deleteIfExists(d.path());
                }
                case Write w -> AtomicFiles.write(w.path(), w.content(), w.perms());
                case Replace r -> AtomicFiles.replaceKeepingOwner(r.path(), r.content());
            }
        }
    }

    private static void createDirectories(Path root, Path dir) throws IOException {
        Path cur = root;
        for (Path part : root.relativize(dir)) {
            cur = cur.resolve(part);
            try {
                Files.createDirectory(cur, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (FileAlreadyExistsException e) {
                BasicFileAttributes a = attributes(cur);
                if (a == null || !a.isDirectory()) {
                    throw new UnsafeFileException(cur, "is " + (a == null ? "gone" : SafeFiles.kind(a)) + ", not a directory");
                }
            }
        }
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
