package dev.galeraagent.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerTest {
    @TempDir
    Path tmp;

    /** A small stand-in for target/agent: a launcher, jars, a "runtime", a cache, and its manifest. */
    private Path packagedHome(String name, long seed, int bigFileBytes) throws IOException {
        Path home = tmp.resolve(name);
        Random random = new Random(seed);
        write(home.resolve("bin/agent"), "#!/bin/sh\necho " + name + "\n", "rwxr-xr-x");
        write(home.resolve("lib/galera-agent.jar"), random, 50_000, "rw-r--r--");
        write(home.resolve("lib/picocli.jar"), random, 30_000, "rw-r--r--");
        write(home.resolve("runtime/bin/java"), random, 10_000, "rwxr-xr-x");
        write(home.resolve("runtime/lib/modules"), random, bigFileBytes, "rw-r--r--");
        write(home.resolve("aot/install.aot"), random, 20_000, "rw-r--r--");
        // build outputs carry the build's time; the copy must keep it (the AOT caches check it)
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(1_700_000_000_000L));
            }
        }
        Files.write(home.resolve(Manifest.FILE_NAME), Manifest.of(home).bytes());
        return home;
    }

    private Path packagedHome(String name, long seed) throws IOException {
        return packagedHome(name, seed, 100_000);
    }

    private static void write(Path file, String content, String perms) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    }

    private static void write(Path file, Random random, int size, String perms) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    }

    private Path target() throws IOException {
        return Files.createDirectories(tmp.resolve("work-dir"));
    }

    /** Every entry under root, byte for byte: file contents, link targets, permissions and times. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    tree.put(key, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    tree.put(key, "dir " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                } else {
                    tree.put(key, "file " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " "
                            + Files.getLastModifiedTime(p) + " " + Manifest.sha256(p));
                }
            }
        }
        return tree;
    }

    private static List<String> entryNames(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertInstalled(Path dir, Path home) throws IOException {
        Manifest manifest = Manifest.read(home);
        Path link = dir.resolve(Installer.HOME_LINK);
        assertThat(Files.isSymbolicLink(link)).as("agent-home is a symlink").isTrue();
        Path copy = dir.resolve(Files.readSymbolicLink(link));
        for (Manifest.Entry e : manifest.entries()) {
            Path copied = copy.resolve(e.path());
            if (Installer.NOT_COPIED.contains(e.path())) {
                assertThat(copied).as("only agent install uses it, which never runs from the copy").doesNotExist();
                continue;
            }
            assertThat(Manifest.sha256(copied)).as(e.path()).isEqualTo(e.sha256());
            assertThat(Files.getPosixFilePermissions(copied)).as(e.path()).isEqualTo(Files.getPosixFilePermissions(home.resolve(e.path())));
            assertThat(Files.getLastModifiedTime(copied)).as(e.path()).isEqualTo(Files.getLastModifiedTime(home.resolve(e.path())));
        }
        assertThat(Files.readString(dir.resolve("agent"))).isEqualTo(Installer.LAUNCHER_SCRIPT);
        assertThat(Files.isExecutable(dir.resolve("agent"))).isTrue();
        assertThat(entryNames(dir)).as("no staging or temporary entries left")
                .containsExactly(copy.getFileName().toString(), "agent", "agent-home");
    }

    @Test
    void installsAVerifiedCopyBehindTheAgentHomeLink() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();

        Installer.Outcome outcome = new Installer(home, "1.0").install(dir, false);

        assertThat(outcome).isInstanceOfSatisfying(Installer.Outcome.Installed.class, i -> {
            assertThat(i.files()).as("6 files of the package, aot/install.aot left out, and the copy's manifest").isEqualTo(6);
            assertThat(i.bytes()).as("the 190,000 bytes copied and the manifest").isGreaterThan(190_000);
        });
        assertInstalled(dir, home);
        assertThat(Files.readSymbolicLink(dir.resolve("agent-home")).toString()).isEqualTo(".agent-1.0-" + Manifest.read(home).without(Installer.NOT_COPIED).id());
    }

    @Test
    void sameVersionAgainIsANoOp() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        new Installer(home, "1.0").install(dir, false);
        Map<String, String> before = snapshot(dir);
        Object copyKey = Files.readAttributes(dir.resolve("agent-home"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        Installer.Outcome again = new Installer(home, "1.0").install(dir, false);

        assertThat(again).isInstanceOf(Installer.Outcome.UpToDate.class);
        assertThat(snapshot(dir)).isEqualTo(before);
        assertThat(Files.readAttributes(dir.resolve("agent-home"), java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("the same copy, not a new one").isEqualTo(copyKey);
    }

    @Test
    void anOldCopyLeftByAnInstallKilledAfterItsSwitchIsRemovedByTheNextNoOp() throws IOException {
        Path v1 = packagedHome("v1", 1);
        Path v2 = packagedHome("v2", 2);
        Path dir = target();
        new Installer(v1, "1.0").install(dir, false);
        Path oldCopy = dir.resolve(Files.readSymbolicLink(dir.resolve("agent-home")));
        Path keep = tmp.resolve("keep");
        Files.move(oldCopy, keep);
        new Installer(v2, "2.0").install(dir, false);
        Files.move(keep, oldCopy);

        Installer.Outcome dry = new Installer(v2, "2.0").install(dir, true);
        Installer.Outcome again = new Installer(v2, "2.0").install(dir, false);

        assertThat(dry).isInstanceOfSatisfying(Installer.Outcome.Planned.class,
                p -> assertThat(p.changes()).contains("would remove " + oldCopy));
        assertThat(again).isInstanceOfSatisfying(Installer.Outcome.UpToDate.class, u -> assertThat(u.removed()).containsExactly(oldCopy));
        assertInstalled(dir, v2);
    }

    @Test
    void aDamagedCopyOfTheSameVersionIsReplaced() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        new Installer(home, "1.0").install(dir, false);
        Files.write(dir.resolve("agent-home/lib/picocli.jar"), new byte[] {1, 2, 3});

        String damaged = Files.readSymbolicLink(dir.resolve("agent-home")).toString();

        Installer.Outcome outcome = new Installer(home, "1.0").install(dir, false);

        assertThat(outcome).isInstanceOf(Installer.Outcome.Installed.class);
        assertInstalled(dir, home);
        // the copy agent-home pointed at is replaced by a new one beside it, never rewritten in place
        assertThat(Files.readSymbolicLink(dir.resolve("agent-home")).toString()).isEqualTo(damaged + "~2");
        assertThat(new Installer(home, "1.0").install(dir, false)).isInstanceOf(Installer.Outcome.UpToDate.class);
    }

    @Test
    void anotherVersionReplacesTheOldOneAndRemovesIt() throws IOException {
        Path v1 = packagedHome("v1", 1);
        Path v2 = packagedHome("v2", 2);
        Path dir = target();
        new Installer(v1, "1.0").install(dir, false);
        String oldCopy = Files.readSymbolicLink(dir.resolve("agent-home")).toString();

        Installer.Outcome outcome = new Installer(v2, "2.0").install(dir, false);

        assertThat(outcome).isInstanceOf(Installer.Outcome.Installed.class);
        assertInstalled(dir, v2);
        assertThat(Files.readSymbolicLink(dir.resolve("agent-home")).toString()).startsWith(".agent-2.0-");
        assertThat(dir.resolve(oldCopy)).doesNotExist();
    }

    @Test
    void aFailureInTheMiddleOfTheCopyLeavesThePreviousInstallIntactAndNoTempDirs() throws IOException {
        Path v1 = packagedHome("v1", 1);
        Path v2 = packagedHome("v2", 2);
        Path dir = target();
        new Installer(v1, "1.0").install(dir, false);
        Map<String, String> before = snapshot(dir);
        int[] copied = {0};
        Installer failing = new Installer(v2, "2.0", path -> {
            if (++copied[0] == 3) {
                throw new IOException("simulated crash after copying " + path);
            }
        });

        assertThatThrownBy(() -> failing.install(dir, false))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                .hasMessageContaining("simulated crash");

        assertThat(copied[0]).isEqualTo(3);
        assertThat(snapshot(dir)).as("previous install untouched, staging removed").isEqualTo(before);
        assertInstalled(dir, v1);
    }

    @Test
    void leftoversOfAKilledInstallAreRemovedByTheNextOne() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        Path staging = Files.createDirectories(dir.resolve(".agent-staging-12345/lib"));
        Files.writeString(staging.resolve("half.jar"), "half");
        Files.createSymbolicLink(dir.resolve(".agent-link-abc"), Path.of(".agent-gone"));

        new Installer(home, "1.0").install(dir, false);

        assertInstalled(dir, home);
    }

    @Test
    void aChecksumMismatchFailsNamingTheFileAndChangesNothing() throws IOException {
        Path v1 = packagedHome("v1", 1);
        Path v2 = packagedHome("v2", 2);
        Path dir = target();
        new Installer(v1, "1.0").install(dir, false);
        Map<String, String> before = snapshot(dir);
        Path corrupt = v2.resolve("runtime/lib/modules");
        byte[] bytes = Files.readAllBytes(corrupt);
        bytes[bytes.length / 2] ^= 1;
        Files.write(corrupt, bytes);

        assertThatThrownBy(() -> new Installer(v2, "2.0").install(dir, false))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                .hasMessageContaining("checksum mismatch for runtime/lib/modules");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void aPlantedAgentHomeSymlinkIsReplacedWithoutWritingThroughIt() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep me");
        Files.createSymbolicLink(dir.resolve("agent-home"), outside);
        Map<String, String> outsideBefore = snapshot(outside);

        new Installer(home, "1.0").install(dir, false);

        assertInstalled(dir, home);
        assertThat(snapshot(outside)).isEqualTo(outsideBefore);
    }

    @Test
    void aPlantedSymlinkNamedLikeTheCopyIsRemovedNotFollowed() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep me");
        String copyName = ".agent-1.0-" + Manifest.read(home).without(Installer.NOT_COPIED).id();
        Files.createSymbolicLink(dir.resolve(copyName), outside);
        Files.createSymbolicLink(dir.resolve("agent-home"), Path.of(copyName));
        Map<String, String> outsideBefore = snapshot(outside);

        new Installer(home, "1.0").install(dir, false);

        assertInstalled(dir, home);
        assertThat(Files.isSymbolicLink(dir.resolve(copyName))).isFalse();
        assertThat(snapshot(outside)).isEqualTo(outsideBefore);
    }

    @Test
    void aSymlinkPlantedInsideAnOldCopyIsNotFollowedWhenTheOldCopyIsRemoved() throws IOException {
        Path v1 = packagedHome("v1", 1);
        Path v2 = packagedHome("v2", 2);
        Path dir = target();
        new Installer(v1, "1.0").install(dir, false);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep me");
        Path oldLib = dir.resolve("agent-home").toRealPath().resolve("lib");
        NoFollowFiles.deleteTree(oldLib);
        Files.createSymbolicLink(oldLib, outside);
        Map<String, String> outsideBefore = snapshot(outside);

        new Installer(v2, "2.0").install(dir, false);

        assertInstalled(dir, v2);
        assertThat(snapshot(outside)).isEqualTo(outsideBefore);
    }

    @Test
    void aPlantedLauncherSymlinkIsRefusedBeforeAnythingChanges() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        Path outside = Files.writeString(tmp.resolve("outside-file"), "keep me");
        Files.createSymbolicLink(dir.resolve("agent"), outside);
        Map<String, String> before = snapshot(dir);

        assertThatThrownBy(() -> new Installer(home, "1.0").install(dir, false))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                .hasMessageContaining(dir.resolve("agent") + " is not a regular file");
        assertThat(Files.readString(outside)).isEqualTo("keep me");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void aMissingTargetIsAnIoErrorNamingIt() throws IOException {
        Path home = packagedHome("v1", 1);
        Path missing = tmp.resolve("no-such-dir");

        assertThatThrownBy(() -> new Installer(home, "1.0").install(missing, false))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                .hasMessage("target directory " + missing + " does not exist; create it (in Kubernetes: mount a volume there)");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aHomeWithoutManifestIsNotAPackagedAgent() throws IOException {
        Path notPackaged = Files.createDirectories(tmp.resolve("plain"));

        assertThatThrownBy(() -> new Installer(notPackaged, "1.0").install(target(), false))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.ENVIRONMENT))
                .hasMessageContaining("is not a packaged agent");
    }

    @Test
    void aReadOnlyTargetIsAnIoError() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        try (TmpfsMount ignored = TmpfsMount.mount(dir, "ro,size=4m")) {
            assertThatThrownBy(() -> new Installer(home, "1.0").install(dir, false))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                    .hasMessage("cannot write into " + dir + ": Read-only file system");
            assertThat(entryNames(dir)).isEmpty();
        }
    }

    @Test
    void aFullTargetIsAnIoErrorAndLeavesNothingBehind() throws IOException {
        Path home = packagedHome("v1", 1, 3_000_000);
        Path dir = target();
        try (TmpfsMount ignored = TmpfsMount.mount(dir, "size=2m")) {
            assertThatThrownBy(() -> new Installer(home, "1.0").install(dir, false))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                    .hasMessageStartingWith("not enough space in " + dir + ": the agent needs ")
                    .hasMessageEndingWith(", 2 MiB free");
            assertThat(entryNames(dir)).isEmpty();
        }
    }

    @Test
    void aTargetThatFillsUpDuringTheCopyFailsCleanly() throws IOException {
        // the free-space check passes (one small file), then the copy runs out: ENOSPC itself
        Path home = packagedHome("v1", 1, 1_500_000);
        Path dir = target();
        try (TmpfsMount ignored = TmpfsMount.mount(dir, "size=4m")) {
            Files.write(dir.resolve("filler"), new byte[1_000_000]);
            Installer installer = new Installer(home, "1.0", path -> {
                if (path.equals("lib/galera-agent.jar")) {
                    Files.write(dir.resolve("filler2"), new byte[2_000_000]);
                }
            });
            assertThatThrownBy(() -> installer.install(dir, false))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.IO))
                    .hasMessageContaining("not enough space in " + dir);
            assertThat(entryNames(dir)).containsExactly("filler", "filler2");
        }
    }

    @Test
    void dryRunOnAnEmptyTargetSaysWhatItWouldDoAndTouchesNothing() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();

        Installer.Outcome outcome = new Installer(home, "1.0").install(dir, true);

        assertThat(outcome).isInstanceOfSatisfying(Installer.Outcome.Planned.class, p -> assertThat(p.changes())
                .anyMatch(line -> line.startsWith("would copy agent 1.0 (6 files, "))
                .anyMatch(line -> line.startsWith("would point " + dir.resolve("agent-home") + " to .agent-1.0-") && line.endsWith("(now: none)"))
                .contains("would write " + dir.resolve("agent")));
        assertThat(entryNames(dir)).isEmpty();
    }

    @Test
    void dryRunOverAnOlderVersionTouchesNothingByteForByte() throws IOException {
        Path v1 = packagedHome("v1", 1);
        Path v2 = packagedHome("v2", 2);
        Path dir = target();
        new Installer(v1, "1.0").install(dir, false);
        String oldCopy = Files.readSymbolicLink(dir.resolve("agent-home")).toString();
        Map<String, String> before = snapshot(dir);

        Installer.Outcome outcome = new Installer(v2, "2.0").install(dir, true);

        assertThat(outcome).isInstanceOfSatisfying(Installer.Outcome.Planned.class, p -> assertThat(p.changes())
                .anyMatch(line -> line.endsWith("(now: " + oldCopy + ")"))
                .contains("would remove " + dir.resolve(oldCopy)));
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void dryRunOfTheInstalledVersionSaysNothingWouldChange() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();
        new Installer(home, "1.0").install(dir, false);

        Installer.Outcome outcome = new Installer(home, "1.0").install(dir, true);

        assertThat(outcome).isEqualTo(new Installer.Outcome.Planned(
                List.of("agent 1.0 is already installed in " + dir.toRealPath() + "; nothing would change")));
    }

    /** Issue 11: the install cache was 23 of the 150 MB copied at every pod start, for a mode no pod runs from its copy. */
    @Test
    void theCopyLeavesOutTheInstallCacheAndItsOwnManifestVerifiesEveryFileItHolds() throws IOException {
        Path home = packagedHome("v1", 1);
        Path dir = target();

        new Installer(home, "1.0").install(dir, false);

        Path copy = dir.resolve("agent-home").toRealPath();
        assertThat(copy.resolve("aot/install.aot")).doesNotExist();
        Manifest copied = Manifest.read(copy);
        assertThat(copied.entries()).extracting(Manifest.Entry::path).doesNotContain("aot/install.aot")
                .containsExactlyElementsOf(Manifest.read(home).entries().stream().map(Manifest.Entry::path)
                        .filter(p -> !p.equals("aot/install.aot")).toList());
        assertThat(Manifest.of(copy).bytes()).as("the copy's manifest is exactly what the copy holds").isEqualTo(copied.bytes());
        Process check = new ProcessBuilder("/bin/sh", "-c", "cd '" + copy + "' && sha256sum --quiet --strict -c " + Manifest.FILE_NAME)
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(waitFor(check)).as("sha256sum -c in the copy: " + out).isZero();
        assertThat(new Installer(home, "1.0").install(dir, false)).as("and it counts as installed").isInstanceOf(Installer.Outcome.UpToDate.class);
        Map<String, String> before = snapshot(dir);
        assertThat(new Installer(copy, "1.0").install(dir, false)).as("run from the copy itself, which lacks install.aot, too")
                .isInstanceOf(Installer.Outcome.UpToDate.class);
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A real tmpfs mounted over a test directory (tests run as root), unmounted on close. */
    record TmpfsMount(Path dir) implements AutoCloseable {
        static TmpfsMount mount(Path dir, String options) throws IOException {
            int rc = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
            assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root): skipped");
            return new TmpfsMount(dir);
        }

        @Override
        public void close() throws IOException {
            if (run("umount", dir.toString()) != 0) {
                throw new IOException("cannot unmount " + dir);
            }
        }

        private static int run(String... command) throws IOException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return -1;
                }
                return p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted running " + String.join(" ", command), e);
            }
        }
    }
}
