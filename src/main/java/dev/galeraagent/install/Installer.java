package dev.galeraagent.install;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Copies the packaged agent (launcher, jars, runtime, AOT caches) into a shared directory so that
 * {@code DIR/agent} runs in containers without Java.
 *
 * <p>Layout in DIR: {@code .agent-<version>-<id>/} (or {@code ...~N} when reinstalling over a damaged copy) holds one complete, verified copy;
 * {@code agent-home} is a symlink to the current copy, replaced with one atomic rename;
 * {@code agent} is a small script that runs {@code agent-home/bin/agent}. A copy is staged in a
 * private temporary directory inside DIR and verified against the manifest before anything the
 * previous install uses is touched, so an interruption at any point leaves the previous install
 * working. Nothing is written through a symlink found in DIR.
 */
public final class Installer {
    /** The symlink naming the current copy. */
    public static final String HOME_LINK = "agent-home";
    /** The script containers run. */
    public static final String LAUNCHER = "agent";
    static final String PREFIX = ".agent-";
    static final String STAGING_PREFIX = ".agent-staging-";
    static final String LINK_TMP_PREFIX = ".agent-link-";
    static final String LAUNCHER_SCRIPT = """
            #!/bin/sh
            # Written by 'agent install': runs the agent copy that agent-home points to.
            case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
            exec "$here/agent-home/bin/agent" "$@"
            """;
    static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwxr-xr-x");
    /**
     * Files of the package that only {@code agent install} uses, which runs from the install image, never from a
     * copy (the pods run bootstrap, prepare-start, probe and status from it): its AOT cache, 23 of the 150 MB of every
     * pod's copy. The copy's own manifest lists what it holds, so it verifies ({@code sha256sum -c}). An
     * {@code agent install} or {@code --version} run from a copy still works, without a cache.
     */
    static final Set<String> NOT_COPIED = Set.of("aot/install.aot");

    /** Called after each file is staged; tests use it to interrupt an install half-way. */
    @FunctionalInterface
    public interface CopyHook {
        CopyHook NONE = path -> { };

        void afterCopy(String relativePath) throws IOException;
    }

    /** What an install did, or would do. */
    public sealed interface Outcome {
        /** A new copy was staged, verified and switched to. */
        record Installed(Path dir, String version, long files, long bytes, long millis) implements Outcome {
        }

        /**
         * The same version with the same files is installed and intact: nothing changed, except that
         * leftovers of an install interrupted after its switch (older copies) were removed.
         */
        record UpToDate(Path dir, String version, List<Path> removed, long millis) implements Outcome {
            public UpToDate {
                removed = List.copyOf(removed);
            }
        }

        /** {@code --dry-run}: the changes an install would make, one line each. */
        record Planned(List<String> changes) implements Outcome {
        }
    }

    private final Path home;
    private final String version;
    private final CopyHook hook;

    /**
     * @param home the packaged agent to copy (holding {@code bin/agent} and {@code MANIFEST.sha256})
     * @param version the agent version, part of the copy's directory name
     */
    public Installer(Path home, String version, CopyHook hook) {
        this.home = home;
        this.version = version.replaceAll("[^A-Za-z0-9._-]", "_");
        this.hook = hook;
    }

    public Installer(Path home, String version) {
        this(home, version, CopyHook.NONE);
    }

    /** Installs into {@code target} (or with {@code dryRun} only says what it would change). */
    public Outcome install(Path target, boolean dryRun) {
        long start = System.nanoTime();
        Manifest manifest = readManifest().without(NOT_COPIED);
        Path dir = checkTarget(target);
        refusePlantedEntries(dir);
        // named after what the copy holds, so that an install run from a copy (which lacks NOT_COPIED) finds itself installed
        String name = PREFIX + version + "-" + manifest.id();
        try {
            if (isInstalled(dir, name, manifest)) {
                String current = currentCopy(dir, name);
                List<Path> leftovers = others(dir, current);
                if (dryRun) {
                    List<String> lines = new ArrayList<>();
                    lines.add("agent " + version + " is already installed in " + dir
                            + (leftovers.isEmpty() ? "; nothing would change" : "; it would only remove leftovers:"));
                    leftovers.forEach(p -> lines.add("would remove " + p));
                    return new Outcome.Planned(lines);
                }
                removeOthers(dir, current);
                return new Outcome.UpToDate(dir, version, leftovers, elapsedMillis(start));
            }
            long bytes = totalBytes(manifest);
            String copyName = freeName(dir, name);
            if (dryRun) {
                return new Outcome.Planned(plan(dir, copyName, manifest, bytes));
            }
            checkFreeSpace(dir, bytes);
            stageVerifyAndSwitch(dir, copyName, manifest);
            removeOthers(dir, copyName);
            return new Outcome.Installed(dir, version, manifest.totalFiles() + 1, bytes, elapsedMillis(start));
        } catch (IOException e) {
            throw ioFailure(dir, e);
        }
    }

    private Manifest readManifest() {
        try {
            return Manifest.read(home);
        } catch (NoSuchFileException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, home + " is not a packaged agent: it has no " + Manifest.FILE_NAME);
        } catch (IOException | IllegalArgumentException e) {
            throw new AgentException(ExitCode.IO, "cannot read " + home.resolve(Manifest.FILE_NAME) + ": " + e.getMessage(), e);
        }
    }

    /** The target must be an existing, writable directory; returns its real path (a symlink to DIR itself is allowed). */
    private static Path checkTarget(Path target) {
        Path real;
        try {
            real = target.toRealPath();
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "target directory " + target + " does not exist; create it (in Kubernetes: mount a volume there)", e);
        }
        if (!Files.isDirectory(real)) {
            throw new AgentException(ExitCode.IO, "target " + target + " is not a directory");
        }
        return real;
    }

    /** Our fixed names in DIR must be what we make them: a symlink or a plain file, never redirected elsewhere. */
    private static void refusePlantedEntries(Path dir) {
        Path launcher = dir.resolve(LAUNCHER);
        if (Files.isSymbolicLink(launcher) || Files.exists(launcher, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(launcher, LinkOption.NOFOLLOW_LINKS)) {
            throw new AgentException(ExitCode.IO, launcher + " is not a regular file (a symlink?); refusing to write through it. Remove it, then install again");
        }
        Path link = dir.resolve(HOME_LINK);
        if (Files.exists(link, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(link)) {
            throw new AgentException(ExitCode.IO, link + " exists and is not a symlink; remove it, then install again");
        }
    }

    /** The copy {@code agent-home} points at, if it is a copy of this version: {@code name} or {@code name~N}. */
    private static String currentCopy(Path dir, String name) throws IOException {
        Path link = dir.resolve(HOME_LINK);
        if (!Files.isSymbolicLink(link)) {
            return null;
        }
        String target = Files.readSymbolicLink(link).toString();
        return target.equals(name) || target.matches(java.util.regex.Pattern.quote(name) + "~[0-9]+") ? target : null;
    }

    /** True when {@code agent-home} points at a copy of {@code name} holding exactly these files (size and time checked, not re-hashed). */
    private boolean isInstalled(Path dir, String name, Manifest manifest) throws IOException {
        String current = currentCopy(dir, name);
        if (current == null) {
            return false;
        }
        Path copy = dir.resolve(current);
        if (!Files.isDirectory(copy, LinkOption.NOFOLLOW_LINKS) || !launcherIsCurrent(dir)) {
            return false;
        }
        Path copiedManifest = copy.resolve(Manifest.FILE_NAME);
        if (!Files.isRegularFile(copiedManifest, LinkOption.NOFOLLOW_LINKS)
                || !Arrays.equals(Files.readAllBytes(copiedManifest), manifest.bytes())) {
            return false;
        }
        for (Manifest.Entry e : manifest.entries()) {
            Path copied = copy.resolve(e.path());
            Path source = home.resolve(e.path());
            if (!NoFollowFiles.insideReal(copy, copied)) {
                return false;
            }
            BasicFileAttributes c;
            try {
                c = Files.readAttributes(copied, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                return false;
            }
            BasicFileAttributes s = Files.readAttributes(source, BasicFileAttributes.class);
            // copies keep the build's times; compared in seconds, as some volumes keep no finer time
            if (!c.isRegularFile() || c.size() != s.size()
                    || c.lastModifiedTime().to(TimeUnit.SECONDS) != s.lastModifiedTime().to(TimeUnit.SECONDS)) {
                return false;
            }
        }
        return true;
    }

    private static boolean launcherIsCurrent(Path dir) throws IOException {
        Path launcher = dir.resolve(LAUNCHER);
        return Files.isRegularFile(launcher, LinkOption.NOFOLLOW_LINKS)
                && Files.isExecutable(launcher)
                && Files.readString(launcher, StandardCharsets.UTF_8).equals(LAUNCHER_SCRIPT);
    }

    private List<String> plan(Path dir, String name, Manifest manifest, long bytes) throws IOException {
        List<String> changes = new ArrayList<>();
        changes.add("would copy agent " + version + " (" + (manifest.totalFiles() + 1) + " files, " + bytes + " bytes) from " + home
                + " into " + dir.resolve(name));
        Path link = dir.resolve(HOME_LINK);
        String now = Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).toString() : "none";
        changes.add("would point " + link + " to " + name + " (now: " + now + ")");
        if (!launcherIsCurrent(dir)) {
            changes.add("would write " + dir.resolve(LAUNCHER));
        }
        for (Path other : others(dir, name)) {
            changes.add("would remove " + other);
        }
        return changes;
    }

    private long totalBytes(Manifest manifest) throws IOException {
        long bytes = manifest.bytes().length;
        for (Manifest.Entry e : manifest.entries()) {
            bytes += Files.size(home.resolve(e.path()));
        }
        return bytes;
    }

    private static void checkFreeSpace(Path dir, long bytes) throws IOException {
        FileStore store = Files.getFileStore(dir);
        long usable = store.getUsableSpace();
        // a copy needs its bytes plus a block per file or so; 1 MiB of slack covers that
        if (usable < bytes + (1 << 20)) {
            throw new AgentException(ExitCode.IO, "not enough space in " + dir + ": the agent needs " + mib(bytes) + " MiB, "
                    + mib(usable) + " MiB free");
        }
    }

    private void stageVerifyAndSwitch(Path dir, String name, Manifest manifest) throws IOException {
        // createTempDirectory makes a fresh 0700 directory: nobody else can plant links inside it
        Path staging = Files.createTempDirectory(dir, STAGING_PREFIX);
        try {
            for (Manifest.Entry e : manifest.entries()) {
                NoFollowFiles.copy(home.resolve(e.path()), staging, staging.resolve(e.path()));
                hook.afterCopy(e.path());
            }
            NoFollowFiles.writeNew(staging.resolve(Manifest.FILE_NAME), manifest.bytes());
            for (Manifest.Entry e : manifest.entries()) {
                String actual = Manifest.sha256(staging.resolve(e.path()));
                if (!actual.equals(e.sha256())) {
                    throw new AgentException(ExitCode.IO, "checksum mismatch for " + e.path() + " (copied from " + home.resolve(e.path())
                            + "): expected " + e.sha256() + ", got " + actual + "; the packaged agent is corrupt, nothing was changed");
                }
            }
            Files.setPosixFilePermissions(staging, DIR_PERMS);
            Files.move(staging, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            switchLink(dir, name);
            if (!launcherIsCurrent(dir)) {
                AtomicFiles.writeString(dir.resolve(LAUNCHER), LAUNCHER_SCRIPT, "rwxr-xr-x");
            }
            AtomicFiles.fsyncDirectory(dir);
        } finally {
            if (staging != null) {
                NoFollowFiles.deleteQuietly(staging);
            }
        }
    }

    /**
     * {@code name}, or {@code name~N} when a copy (or anything) already has that name: the copy that
     * agent-home points at is never replaced in place, only after the switch, with the other leftovers.
     */
    private static String freeName(Path dir, String name) {
        String candidate = name;
        for (int n = 2; Files.exists(dir.resolve(candidate), LinkOption.NOFOLLOW_LINKS); n++) {
            candidate = name + "~" + n;
        }
        return candidate;
    }

    /** Points {@code agent-home} at {@code name}: a new symlink renamed over the old one, so readers see one or the other. */
    private static void switchLink(Path dir, String name) throws IOException {
        Path link = dir.resolve(HOME_LINK);
        Path tmp = dir.resolve(LINK_TMP_PREFIX + Long.toHexString(System.nanoTime()));
        Files.createSymbolicLink(tmp, Path.of(name));
        try {
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Every entry of ours in DIR except the current copy: older versions, staging left by an interrupted install. */
    private static List<Path> others(Path dir, String current) throws IOException {
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : entries) {
                if (!p.getFileName().toString().equals(current)) {
                    result.add(p);
                }
            }
        }
        result.sort(null);
        return result;
    }

    private static void removeOthers(Path dir, String current) throws IOException {
        for (Path other : others(dir, current)) {
            NoFollowFiles.deleteTree(other);
        }
    }

    private static AgentException ioFailure(Path dir, IOException e) {
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (e instanceof AccessDeniedException || "Read-only file system".equals(reason)) {
            return new AgentException(ExitCode.IO, "cannot write into " + dir + ": " + (reason == null ? "permission denied" : reason), e);
        }
        if (reason != null && reason.contains("No space left")) {
            return new AgentException(ExitCode.IO, "not enough space in " + dir + ": " + reason, e);
        }
        return new AgentException(ExitCode.IO, "cannot install into " + dir + ": " + e, e);
    }

    private static long elapsedMillis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
