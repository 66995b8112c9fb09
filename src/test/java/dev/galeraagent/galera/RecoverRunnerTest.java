package dev.galeraagent.galera;

import dev.galeraagent.position.Position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.errors.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private directory of --wsrep-recover, seen from inside by a stand-in mariadbd that reports what it finds. */
class RecoverRunnerTest {
    static final String UUID_TEXT = "6b2f1a4e-0000-11ef-8000-000000000001";

    @TempDir
    Path tmp;

    static GaleraConfig config() {
        return new GaleraConfig("c", "galera-0", "127.0.0.1", "127.0.0.1", List.of("127.0.0.1"), 4567, 4568, 4444,
                "/usr/lib/galera/libgalera_smm.so", "rsync", "128M", 1, Optional.empty(), Optional.empty(), Optional.empty(), "/etc/mysql/galera-once.d");
    }

    /** A mariadbd that writes the modes and owners it sees to {@code report}, then a recovered position to its log. */
    private Path fakeMariadbd(Path report, String logLine) throws Exception {
        Path fake = tmp.resolve("fake-mariadbd");
        Files.writeString(fake, """
                #!/bin/sh
                cnf="${1#--defaults-file=}"; log="${3#--log-error=}"; dir=$(dirname "$cnf")
                { stat -c 'dir %%a %%u:%%g' "$dir"; stat -c 'cnf %%a' "$cnf"; grep '^user' "$cnf" || echo 'no user line'; } > %s
                echo '%s' > "$log"
                """.formatted(report, logLine));
        fake.toFile().setExecutable(true);
        return fake;
    }

    private long leftovers(Path parent) throws Exception {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith("galera-recover-")).count();
        }
    }

    @Test
    void theDefaultsAndTheLogLiveInADirectoryOnlyTheDataOwnerCanEnterAndItIsRemovedAfterwards() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "handing the directory to another user needs root");
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        Path datadir = Files.createDirectories(tmp.resolve("data"));
        new ProcessBuilder("chown", "nobody:nogroup", datadir.toString()).inheritIO().start().waitFor();
        int uid = (Integer) Files.getAttribute(datadir, "unix:uid");
        int gid = (Integer) Files.getAttribute(datadir, "unix:gid");
        assertThat(uid).isNotZero();
        Path report = tmp.resolve("report");
        Position p = new RecoverRunner(fakeMariadbd(report, "2026-12-01 10:00:00 0 [Note] WSREP: Recovered position: " + UUID_TEXT + ":42").toString(),
                Duration.ofSeconds(20), parent).recover(config(), datadir);
        assertThat(p).isEqualTo(new Position(UUID.fromString(UUID_TEXT), 42));
        assertThat(Files.readAllLines(report)).containsExactly("dir 700 " + uid + ":" + gid, "cnf 400", "user = nobody");
        assertThat(leftovers(parent)).isZero();
    }

    @Test
    void aRunThatFailsStillRemovesItsDirectory() throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        Path datadir = Files.createDirectories(tmp.resolve("data"));
        Path fake = fakeMariadbd(tmp.resolve("report"), "no position here");
        assertThatThrownBy(() -> new RecoverRunner(fake.toString(), Duration.ofSeconds(20), parent).recover(config(), datadir))
                .isInstanceOf(AgentException.class).hasMessageContaining("no 'WSREP: Recovered position' line in the log");
        assertThat(leftovers(parent)).isZero();
    }

    @Test
    void aMissingParentIsAnIoErrorOnOneLine() {
        assertThatThrownBy(() -> new RecoverRunner("/usr/sbin/mariadbd", Duration.ofSeconds(5), tmp.resolve("nope")).recover(config(), tmp))
                .isInstanceOf(AgentException.class).hasMessageStartingWith("cannot prepare a private directory for mariadbd --wsrep-recover in " + tmp.resolve("nope"));
    }
}
