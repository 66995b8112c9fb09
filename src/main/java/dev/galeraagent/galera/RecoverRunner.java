package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Learns a crashed node's position with {@code mariadbd --wsrep-recover} ({@link WsrepRecover}) from a
 * private directory: the defaults file and the log live in a fresh directory of mode 0700, so no other
 * local user can swap the defaults file (a {@code user=root} or a {@code plugin_load_add} there runs as
 * mariadbd) or forge the log, whose position the election trusts. The directory belongs to the user
 * mariadbd runs as: when the agent is root, mariadbd switches to the data directory's owner (its
 * {@code user =} line) and the directory is handed to that owner, so it can write its log there and
 * nobody else can. The directory is removed afterwards, whatever happened.
 */
public final class RecoverRunner {
    static final String DEFAULTS = "recover.cnf";
    static final String LOG = "recover.log";

    private final String mariadbd;
    private final Duration timeout;
    private final Path parent;

    /** @param parent where the private directory is made (the system's temp directory in the agent) */
    public RecoverRunner(String mariadbd, Duration timeout, Path parent) {
        this.mariadbd = mariadbd;
        this.timeout = timeout;
        this.parent = parent;
    }

    public RecoverRunner(String mariadbd, Duration timeout) {
        this(mariadbd, timeout, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Runs the recovery of {@code datadir} with the settings of {@code config} and returns the recovered position.
     *
     * @throws AgentException IO when the private directory cannot be prepared; ENVIRONMENT when mariadbd
     *         fails, times out or logs no position (as {@link WsrepRecover#run})
     */
    public Position recover(GaleraConfig config, Path datadir) {
        Path dir = null;
        try {
            // mkdir with mode 0700 in one step: there is no moment where the directory is open to others
            dir = Files.createTempDirectory(parent, "galera-recover-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            boolean root = ((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == 0;
            Optional<String> runAs = Optional.empty();
            if (root) {
                int uid = (Integer) Files.getAttribute(datadir, "unix:uid");
                int gid = (Integer) Files.getAttribute(datadir, "unix:gid");
                runAs = Optional.of(uid == 0 ? "root" : Files.getOwner(datadir).getName());
                Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
            Path cnf = dir.resolve(DEFAULTS);
            // mariadbd reads its defaults before it switches user; only the owner may read them
            Files.writeString(cnf, config.recoverDefaults(datadir.toString(), runAs), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(cnf, PosixFilePermissions.fromString("r--------"));
            return new WsrepRecover(mariadbd, timeout).run(cnf, dir.resolve(LOG)).position();
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot prepare a private directory for mariadbd --wsrep-recover in " + parent + ": " + e.getMessage(), e);
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.IO, "cannot run mariadbd --wsrep-recover as the owner of " + datadir + ": " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover private directory harms nobody; the next run makes a new one
        }
    }
}
