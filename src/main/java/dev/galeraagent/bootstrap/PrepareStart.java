package dev.galeraagent.bootstrap;

import dev.galeraagent.handoff.HandOff;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.files.AtomicFiles;
import dev.galeraagent.galera.DataDir;
import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.galera.GvwState;
import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.galera.RecoverLog;
import dev.galeraagent.galera.WsrepRecover;
import dev.galeraagent.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code agent prepare-start}: run by the mariadb container before every start of mariadbd, as MariaDB's own
 * service unit runs {@code galera_recovery}. A container-only restart runs no init container, and without its
 * position Galera's {@code pc.recovery} restores a Primary component under a new cluster uuid (measured). This
 * recovers the position of a node that stopped uncleanly, retires a spent one-shot bootstrap, and returns the
 * extra mariadbd arguments. See {@link StartPlan} for the rules.
 *
 * @param defaultsFile the config file the container's mariadbd reads, when not mariadbd's own default search
 */
public record PrepareStart(Path datadir, Path configDir, String mariadbd, Optional<Path> defaultsFile, Duration recoverTimeout) {
    private static final Log LOG = Log.of("prepare-start");

    /** The extra mariadbd arguments; empty when mariadbd starts as its config says. */
    public List<String> run() {
        DataDirState dir = inspect();
        Path once = configDir.resolve(HandOff.ONE_SHOT_DIR).resolve(GaleraConfig.OneShot.FILE_NAME);
        Optional<StartPlan.PendingOneShot> pending = oneShot(once);
        StartPlan plan = StartPlan.decide(dir, pending, modified(datadir.resolve(GvwState.FILE_NAME)),
                modified(datadir.resolve(GrastateFile.FILE_NAME)));
        plan.reasons().forEach(LOG::info);
        try {
            if (plan.dropOneShot()) {
                Files.deleteIfExists(once);
                LOG.info("removed the spent one-shot file " + once);
            }
            if (plan.markSafe()) {
                markSafe(dir.grastate().orElseThrow());
            }
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot prepare the start of mariadbd: " + e.getMessage()
                    + " (the config volume must be writable in the mariadb container)", e);
        }
        if (plan.recoverFor().isEmpty()) {
            return List.of();
        }
        RecoverLog.Recovered r = recover();
        try {
            List<String> args = StartPlan.startArguments(plan.recoverFor().get(), r.position());
            LOG.info(args.isEmpty() ? "recovered " + r.position() + ": no seqno to pass, mariadbd starts as its config says"
                    : "recovered " + r.position() + ": mariadbd starts with " + String.join(" ", args));
            return args;
        } catch (IllegalStateException e) {
            throw new AgentException(ExitCode.REFUSED, e.getMessage() + "; a person must decide (docs/guide.md, \"Troubleshooting\")");
        }
    }

    private DataDirState inspect() {
        try {
            return DataDir.inspect(datadir);
        } catch (NoSuchFileException e) {
            throw new AgentException(ExitCode.IO, "data directory " + datadir + " does not exist (--datadir)");
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.IO, datadir.resolve(GrastateFile.FILE_NAME) + " is corrupt: " + e.getMessage()
                    + "; fix or move it aside, the agent will not guess");
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot read data directory " + datadir + ": " + e.getMessage(), e);
        }
    }

    private static Optional<StartPlan.PendingOneShot> oneShot(Path once) {
        try {
            Instant written = Files.getLastModifiedTime(once).toInstant();
            return Optional.of(new StartPlan.PendingOneShot(GaleraConfig.OneShot.parse(Files.readString(once, StandardCharsets.UTF_8)), written));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.IO, "the one-shot file " + once + " is not one agent bootstrap wrote: " + e.getMessage());
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot read the one-shot file " + once + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Instant> modified(Path file) {
        try {
            return Optional.of(Files.getLastModifiedTime(file).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void markSafe(GrastateFile g) throws IOException {
        Path grastate = datadir.resolve(GrastateFile.FILE_NAME);
        // mysqld must still own it when this runs as root; its mode is kept
        UserPrincipal owner = Files.getOwner(grastate, LinkOption.NOFOLLOW_LINKS);
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(grastate, LinkOption.NOFOLLOW_LINKS));
        AtomicFiles.writeString(grastate, g.withSafeToBootstrap(true).render(), perms);
        Files.setOwner(grastate, owner);
        LOG.info("set safe_to_bootstrap: 1 in " + grastate + " (" + g.position() + ")");
    }

    /** The command after {@code mariadbd}: the container's config, this data directory, and as root mysqld's own user. */
    List<String> recoverArguments() {
        List<String> args = new ArrayList<>();
        defaultsFile.ifPresent(f -> args.add("--defaults-file=" + f));
        args.add("--datadir=" + datadir);
        if (isRoot()) {
            args.add("--user=mysql");
        }
        return args;
    }

    private RecoverLog.Recovered recover() {
        Path tmp = null;
        try {
            // private: the recover log names the data directory's position and paths
            tmp = Files.createTempDirectory("galera-prepare-start", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (isRoot()) {
                // mysqld drops to the data directory's owner and must write its log here
                Files.setOwner(tmp, Files.getOwner(datadir));
            }
            long started = System.nanoTime();
            RecoverLog.Recovered r = new WsrepRecover(mariadbd, recoverTimeout).run(recoverArguments(), tmp.resolve("recover.log"));
            LOG.info(String.format("mariadbd --wsrep-recover took %.1fs", (System.nanoTime() - started) / 1e9));
            return r;
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot prepare mariadbd --wsrep-recover: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
