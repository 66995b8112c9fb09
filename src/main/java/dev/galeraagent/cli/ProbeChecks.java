package dev.galeraagent.cli;

import dev.galeraagent.status.Version;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.probe.ExecCheck;
import dev.galeraagent.probe.MariaDbAccess;
import dev.galeraagent.probe.MariaDbStatusReader;
import dev.galeraagent.probe.ProbeKind;
import dev.galeraagent.probe.ProbePolicy;
import dev.galeraagent.probe.ProbeService;
import dev.galeraagent.probe.Verdict;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent probe liveness|readiness|startup}: the kubelet's exec checks, asking the sidecar first, else MariaDB once. */
final class ProbeChecks {
    private ProbeChecks() {
    }

    /** The shared body of the three one-shot checks. */
    abstract static class OneShot implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Mixin
        ProbeCommand.Options options;

        @Option(names = "--sidecar", defaultValue = "${env:AGENT_SIDECAR:-http://127.0.0.1:9800}",
                description = "The local 'probe serve' to ask first; 'none' to always ask MariaDB directly. Default: ${DEFAULT-VALUE}. (env: AGENT_SIDECAR)")
        String sidecar;

        @Option(names = "--sidecar-timeout", defaultValue = "${env:AGENT_SIDECAR_TIMEOUT:-300ms}", converter = DurationConverter.class,
                description = "How long to wait for the sidecar before asking MariaDB directly. Default: ${DEFAULT-VALUE}. (env: AGENT_SIDECAR_TIMEOUT)")
        Duration sidecarTimeout;

        abstract ProbeKind kind();

        @Override
        public Integer call() {
            common.applyLogging();
            URI uri = null;
            if (!"none".equalsIgnoreCase(sidecar)) {
                try {
                    uri = URI.create(sidecar);
                    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                        throw new IllegalArgumentException("not an http:// URL");
                    }
                } catch (IllegalArgumentException e) {
                    throw new AgentException(ExitCode.USAGE, "--sidecar must be an http://HOST:PORT URL or 'none', was '" + sidecar + "'");
                }
            }
            ProbeCommand.requirePositive("--sidecar-timeout", sidecarTimeout);
            ProbePolicy policy = options.policy();
            Verdict v = ExecCheck.run(kind(), uri, sidecarTimeout, () -> {
                // no sidecar: one read with no memory, so the start-up grace counts from now (see README)
                MariaDbAccess access = options.access(System.getenv());
                // a cold JVM loads the driver inside the wait: allow it a connect and a read, each bounded by the driver
                try (ProbeService direct = new ProbeService(new MariaDbStatusReader(access), options.files(), policy, Duration.ZERO,
                        access.timeout().multipliedBy(2), Version.get(), null, null)) {
                    return direct.health().of(kind());
                }
            });
            PrintWriter out = spec.commandLine().getOut();
            out.println(v.reason());
            out.flush();
            return v.ok() ? ExitCode.OK.code() : ExitCode.CHECK_FAILED.code();
        }
    }

    @Command(name = "liveness", mixinStandardHelpOptions = true, versionProvider = AgentCommand.VersionProvider.class,
            description = "Exit 0 when mysqld is alive (also while it receives a state transfer or starts), 1 when it should be restarted.")
    static final class Liveness extends OneShot {
        @Override
        ProbeKind kind() {
            return ProbeKind.LIVENESS;
        }
    }

    @Command(name = "readiness", mixinStandardHelpOptions = true, versionProvider = AgentCommand.VersionProvider.class,
            description = "Exit 0 when the node may take traffic: wsrep ready and connected, Primary, Synced; 1 otherwise.")
    static final class Readiness extends OneShot {
        @Override
        ProbeKind kind() {
            return ProbeKind.READINESS;
        }
    }

    @Command(name = "startup", mixinStandardHelpOptions = true, versionProvider = AgentCommand.VersionProvider.class,
            description = "Exit 0 once mysqld answers or a state transfer is in progress, 1 before.")
    static final class Startup extends OneShot {
        @Override
        ProbeKind kind() {
            return ProbeKind.STARTUP;
        }
    }
}
