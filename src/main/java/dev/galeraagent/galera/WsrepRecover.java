package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.files.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code mariadbd --defaults-file=F --wsrep-recover --log-error=L} to learn the position of a
 * node whose grastate.dat says -1 (it crashed). This touches InnoDB files (crash recovery), which is
 * why {@code --dry-run} never calls it. On timeout it kills only the child it started, by its PID.
 */
public final class WsrepRecover {
    /** A recovery log holds InnoDB's crash recovery and a few WSREP lines: kilobytes; more is not mariadbd's doing. */
    static final int LOG_MAX = 8 * 1024 * 1024;

    private final String mariadbd;
    private final Duration timeout;

    public WsrepRecover(String mariadbd, Duration timeout) {
        this.mariadbd = mariadbd;
        this.timeout = timeout;
    }

    /** The command line, {@code --defaults-file} first because mariadbd ignores it anywhere else. */
    public List<String> command(Path defaultsFile, Path logFile) {
        return command(List.of("--defaults-file=" + defaultsFile), logFile);
    }

    /** The command line with {@code arguments} first (a {@code --defaults-file} among them must be the first). */
    public List<String> command(List<String> arguments, Path logFile) {
        List<String> c = new ArrayList<>();
        c.add(mariadbd);
        c.addAll(arguments);
        c.add("--wsrep-recover");
        c.add("--log-error=" + logFile);
        return List.copyOf(c);
    }

    /**
     * @throws AgentException ENVIRONMENT when mariadbd cannot run, fails, times out, or logs no position;
     *         the message carries the log's last lines
     */
    public RecoverLog.Recovered run(Path defaultsFile, Path logFile) {
        return run(List.of("--defaults-file=" + defaultsFile), logFile);
    }

    /** Like {@link #run(Path, Path)}, with mariadbd's own config search unless {@code arguments} name a defaults file. */
    public RecoverLog.Recovered run(List<String> arguments, Path logFile) {
        try {
            // a position left in the log by an earlier run must never be read as this run's
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(stdout(logFile));
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot remove the old recover log " + logFile + ": " + e.getMessage(), e);
        }
        Process p;
        try {
            p = new ProcessBuilder(command(arguments, logFile))
                    .redirectErrorStream(true)
                    // errors before the log opens (bad option, bad config) only reach stdout/stderr
                    .redirectOutput(stdout(logFile).toFile())
                    .start();
        } catch (IOException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, "cannot run " + mariadbd + " --wsrep-recover: " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AgentException(ExitCode.ENVIRONMENT, mariadbd + " --wsrep-recover (pid " + p.pid() + ") did not finish within "
                        + (timeout.toMillis() < 1000 ? timeout.toMillis() + "ms" : timeout.toSeconds() + "s") + " and was killed; last log lines: " + tail(logFile));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AgentException(ExitCode.ENVIRONMENT, "interrupted while " + mariadbd + " --wsrep-recover ran", e);
        }
        if (p.exitValue() != 0) {
            throw new AgentException(ExitCode.ENVIRONMENT, mariadbd + " --wsrep-recover exited with " + p.exitValue() + "; last log lines: " + tail(logFile));
        }
        String log;
        try {
            log = SafeFiles.readString(logFile, LOG_MAX, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, mariadbd + " --wsrep-recover wrote no log at " + logFile + ": " + e.getMessage(), e);
        }
        try {
            return RecoverLog.parse(log);
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, mariadbd + " --wsrep-recover: " + e.getMessage() + "; last log lines: " + tail(logFile), e);
        }
    }

    private static Path stdout(Path logFile) {
        return logFile.resolveSibling(logFile.getFileName() + ".stdout");
    }

    /** The log's last lines joined on one line, so the error stays one line; mariadbd's own output when there is no log. */
    static String tail(Path log) {
        if (!Files.exists(log) && Files.exists(stdout(log))) {
            return tailOf(stdout(log));
        }
        return tailOf(log);
    }

    private static String tailOf(Path log) {
        try {
            List<String> lines = SafeFiles.readString(log, LOG_MAX, StandardCharsets.ISO_8859_1).lines().filter(l -> !l.isBlank()).toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
