package dev.galeraagent.cli;

import dev.galeraagent.bootstrap.PrepareStart;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.log.Log;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent prepare-start}: run before every start of mariadbd; prints the extra mariadbd arguments. */
@Command(
        name = "prepare-start",
        mixinStandardHelpOptions = true,
        versionProvider = AgentCommand.VersionProvider.class,
        description = {
            "Run by the mariadb container before every start of mariadbd, a container-only restart included (no init container "
                + "runs then), as MariaDB's service unit runs galera_recovery. Prints the extra mariadbd arguments on stdout, "
                + "logs why on stderr:",
            "- after an unclean stop (grastate.dat seqno -1) it recovers the position with mariadbd --wsrep-recover and prints "
                + "--wsrep-start-position=<uuid>:<seqno>, so that Galera keeps the node's history;",
            "- a one-shot bootstrap file of agent bootstrap is removed once the node has been Primary since it was written "
                + "(a bootstrap happens once), and kept, with safe_to_bootstrap: 1, while it has not;",
            "- a clean stop, an empty data directory, or a cut-off state transfer: prints nothing.",
            "Usage in the container: args=$(agent prepare-start) && exec docker-entrypoint.sh mariadbd $args",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:arguments printed (possibly none)", " 2:bad usage",
            " 3:refused: InnoDB and grastate.dat name different clusters", " 5:mariadbd --wsrep-recover failed",
            " 6:file I/O failure or corrupt grastate.dat or one-shot file"})
public final class PrepareStartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--datadir", paramLabel = "DIR", defaultValue = "${env:AGENT_DATADIR:-/var/lib/mysql}", description = "MariaDB's data directory. (env: AGENT_DATADIR)")
    Path datadir;

    @Option(names = "--config-dir", paramLabel = "DIR", defaultValue = "${env:AGENT_CONFIG_DIR:-/etc/mysql/conf.d}", description = "Where agent bootstrap wrote galera.cnf and the one-shot directory (read-write: a spent one-shot file is removed). (env: AGENT_CONFIG_DIR)")
    Path configDir;

    @Option(names = "--mariadbd", paramLabel = "PATH", defaultValue = "${env:AGENT_MARIADBD:-mariadbd}", description = "The server binary, for --wsrep-recover. (env: AGENT_MARIADBD)")
    String mariadbd;

    @Option(names = "--defaults-file", paramLabel = "FILE", defaultValue = "${env:AGENT_DEFAULTS_FILE:-}", description = "The config file the container's mariadbd reads; default: mariadbd's own search (the image's /etc/mysql/my.cnf). (env: AGENT_DEFAULTS_FILE)")
    String defaultsFile;

    @Option(names = "--recover-timeout", paramLabel = "DURATION", defaultValue = "${env:AGENT_RECOVER_TIMEOUT:-120s}", converter = DurationConverter.class, description = "Longest mariadbd --wsrep-recover may run. (env: AGENT_RECOVER_TIMEOUT)")
    Duration recoverTimeout;

    @Override
    public Integer call() {
        Log.setDebug(common.verbose);
        Optional<Path> defaults = defaultsFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(defaultsFile));
        var args = new PrepareStart(datadir, configDir, mariadbd, defaults, recoverTimeout).run();
        // one line, split by the container's shell: every argument is an option without spaces
        spec.commandLine().getOut().println(String.join(" ", args));
        spec.commandLine().getOut().flush();
        return ExitCode.OK.code();
    }
}
