package dev.galeraagent.cli;

import dev.galeraagent.status.Version;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.discovery.SystemFacts;
import dev.galeraagent.kube.EventSink;
import dev.galeraagent.log.Log;
import dev.galeraagent.handoff.HandOffTask;
import dev.galeraagent.probe.MariaDbAccess;
import dev.galeraagent.probe.MariaDbStatusReader;
import dev.galeraagent.probe.NodeFiles;
import dev.galeraagent.probe.ProbePolicy;
import dev.galeraagent.probe.ProbeServer;
import dev.galeraagent.probe.ProbeService;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent probe}: Galera-aware liveness, readiness and startup checks, as a sidecar or one-shot. */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true, versionProvider = AgentCommand.VersionProvider.class,
        description = {
            "Galera-aware health checks for the MariaDB container: 'serve' runs the HTTP sidecar, "
                    + "'liveness', 'readiness' and 'startup' are one-shot checks for exec probes (exit 0 healthy, 1 not).",
            "MariaDB is reached over TCP only (no unix socket: mariadb-java-client needs JNA for that)."
        },
        subcommands = {
            ProbeCommand.Serve.class,
            ProbeChecks.Liveness.class,
            ProbeChecks.Readiness.class,
            ProbeChecks.Startup.class
        })
public final class ProbeCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a probe command: choose one of " + spec.subcommands().keySet());
    }

    static final Duration MAX_CACHE = Duration.ofSeconds(1);

    /** How to reach mysqld and judge it; shared by every probe command. */
    public static final class Options {
        @Option(names = "--host", defaultValue = "${env:AGENT_HOST:-127.0.0.1}",
                description = "MariaDB host (TCP). Default: ${DEFAULT-VALUE}. (env: AGENT_HOST)")
        String host;

        private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]{1,253}");

        @Option(names = "--port", defaultValue = "${env:AGENT_PORT:-3306}",
                description = "MariaDB port. Default: ${DEFAULT-VALUE}. (env: AGENT_PORT)")
        int port;

        @Option(names = "--user", defaultValue = "${env:AGENT_USER:-probe}",
                description = "MariaDB user of the probe (needs no privileges beyond USAGE). Default: ${DEFAULT-VALUE}. (env: AGENT_USER)")
        String user;

        @Option(names = "--password-file", defaultValue = "${env:AGENT_PASSWORD_FILE}",
                description = "File holding the probe user's password (a mounted Secret; one trailing newline is ignored). "
                        + "Without it the password comes from the AGENT_PASSWORD variable, else it is empty. (env: AGENT_PASSWORD_FILE)")
        Path passwordFile;

        @Option(names = "--query-timeout", defaultValue = "${env:AGENT_QUERY_TIMEOUT:-1s}", converter = DurationConverter.class,
                description = "Longest wait for MariaDB (connect, and each read). Default: ${DEFAULT-VALUE}. (env: AGENT_QUERY_TIMEOUT)")
        Duration queryTimeout;

        @Option(names = "--available-when-donor", defaultValue = "${env:AGENT_AVAILABLE_WHEN_DONOR:-false}",
                description = "Count a Donor/Desynced node as ready. (env: AGENT_AVAILABLE_WHEN_DONOR)")
        boolean availableWhenDonor;

        @Option(names = "--startup-grace", defaultValue = "${env:AGENT_STARTUP_GRACE:-60s}", converter = DurationConverter.class,
                description = "How long liveness tolerates mysqld not listening (starting, --wsrep-recover) without a state transfer in "
                        + "progress. Default: ${DEFAULT-VALUE}. (env: AGENT_STARTUP_GRACE)")
        Duration startupGrace;

        @Option(names = "--stale-transfer-after", defaultValue = "${env:AGENT_STALE_TRANSFER_AFTER:-5m}", converter = DurationConverter.class,
                description = "How long state-transfer markers in the data directory, with nothing there changing and mysqld not "
                        + "answering, still count as a transfer in progress; then liveness fails (a kill -9 cut the transfer off). "
                        + "Default: ${DEFAULT-VALUE}. (env: AGENT_STALE_TRANSFER_AFTER)")
        Duration staleTransferAfter;

        @Option(names = "--datadir", defaultValue = "${env:AGENT_DATADIR:-/var/lib/mysql}",
                description = "MariaDB data directory (read only: grastate.dat, state-transfer markers). Default: ${DEFAULT-VALUE}. (env: AGENT_DATADIR)")
        Path datadir;

        @Option(names = "--config-dir", defaultValue = "${env:AGENT_CONFIG_DIR:-/etc/mysql/conf.d}",
                description = "Config volume with the bootstrap hand-off and the one-shot directory; 'serve' completes the hand-off "
                        + "there once the node is Primary (read-write). Default: ${DEFAULT-VALUE}. (env: AGENT_CONFIG_DIR)")
        Path configDir;

        MariaDbAccess access(Map<String, String> env) {
            requirePositive("--query-timeout", queryTimeout);
            return new MariaDbAccess(host, port, user, password(env), queryTimeout);
        }

        String password(Map<String, String> env) {
            if (passwordFile != null) {
                try {
                    String p = Files.readString(passwordFile, StandardCharsets.UTF_8);
                    return p.endsWith("\r\n") ? p.substring(0, p.length() - 2) : p.endsWith("\n") ? p.substring(0, p.length() - 1) : p;
                } catch (IOException e) {
                    throw new AgentException(ExitCode.IO, "cannot read the password file " + passwordFile + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage()));
                }
            }
            return env.getOrDefault("AGENT_PASSWORD", "");
        }

        ProbePolicy policy() {
            if (port < 1 || port > 65535) {
                throw new AgentException(ExitCode.USAGE, "--port must be 1-65535, was " + port);
            }
            // the host goes into the driver's URL: '/', '?' or '&' would add connection options of their own
            if (host == null || !HOST.matcher(host).matches()) {
                throw new AgentException(ExitCode.USAGE, "--host must be a host name or an IP address, was '" + host + "'");
            }
            requirePositive("--stale-transfer-after", staleTransferAfter);
            return new ProbePolicy(availableWhenDonor, startupGrace, user, new MariaDbAccess(host, port, user, "", Duration.ofSeconds(1)).target(),
                    staleTransferAfter);
        }

        NodeFiles files() {
            return new NodeFiles(datadir, configDir);
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = AgentCommand.VersionProvider.class,
            description = "Run the sidecar: /live, /ready, /startup (200 or 503 with a one-line reason), /status (JSON), /metrics (Prometheus).")
    static final class Serve implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        Options options;

        @Option(names = "--listen", defaultValue = "${env:AGENT_LISTEN:-0.0.0.0:9800}",
                description = "Address and port to serve on. Default: ${DEFAULT-VALUE}. (env: AGENT_LISTEN)")
        String listen;

        @Option(names = "--cache", defaultValue = "${env:AGENT_CACHE:-250ms}", converter = DurationConverter.class,
                description = "How long one status read answers all probes (at most 1s). Default: ${DEFAULT-VALUE}. (env: AGENT_CACHE)")
        Duration cache;

        @Option(names = "--pod-name", defaultValue = "${env:POD_NAME}",
                description = "This pod's name (Downward API), for /status and as the bootstrap Lease's default holder. "
                        + "Default: the hostname. (env: POD_NAME)")
        String podName;

        @Option(names = "--pod-namespace", defaultValue = "${env:POD_NAMESPACE:-default}",
                description = "This pod's namespace: the bootstrap Lease's default namespace. Default: ${DEFAULT-VALUE}. (env: POD_NAMESPACE)")
        String podNamespace;

        @Option(names = "--no-kube-api", defaultValue = "${env:AGENT_NO_KUBE_API:-false}",
                description = "Do not use the Kubernetes API: the bootstrap Lease a hand-off names is then not renewed or released "
                        + "(it expires). (env: AGENT_NO_KUBE_API)")
        boolean noKubeApi;

        @Option(names = "--kubeconfig", defaultValue = "${env:KUBECONFIG}",
                description = "A kubeconfig to reach the API with, instead of the pod's service account. (env: KUBECONFIG)")
        Path kubeconfig;

        @Override
        public Integer call() throws Exception {
            common.applyLogging();
            if (cache.isNegative() || cache.compareTo(MAX_CACHE) > 0) {
                throw new AgentException(ExitCode.USAGE, "--cache must be between 0 and 1s, was " + cache.toMillis() + "ms");
            }
            InetSocketAddress address = parseListen(listen);
            ProbePolicy policy = options.policy();
            MariaDbAccess access = options.access(System.getenv());
            Who who = who(podName, podNamespace, SystemFacts.hostname());
            ProbeService service = new ProbeService(new MariaDbStatusReader(access), options.files(), policy, cache,
                    access.timeout(), Version.get(), who.pod(), who.ordinal());
            ProbeServer server;
            try {
                server = new ProbeServer(service, address);
            } catch (BindException e) {
                service.close();
                throw new AgentException(ExitCode.ENVIRONMENT, "cannot listen on " + listen + ": " + e.getMessage());
            }
            LazyLeases leases = noKubeApi ? null : new LazyLeases(Optional.ofNullable(kubeconfig), who);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                if (leases != null) {
                    leases.close();
                }
                stopped.countDown();
            }, "probe-shutdown"));
            server.schedule("rule 10 hand-off", HandOffTask.EVERY, new HandOffTask(options.configDir,
                    () -> service.snapshot().observation().wsrepStatus(), leases, who.pod(), who.namespace(), Clock.systemUTC(),
                    leases == null ? EventSink.NONE : leases));
            service.snapshot(); // the first read loads the driver and connects: not inside a kubelet probe's deadline
            server.start();
            Log.of("probe").info("checking " + access + ", cache " + cache.toMillis() + "ms, startup grace "
                    + policy.startupGrace().toSeconds() + "s, available when donor: " + policy.availableWhenDonor());
            stopped.await();
            return ExitCode.OK.code();
        }
    }

    static void requirePositive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new AgentException(ExitCode.USAGE, option + " must be positive");
        }
    }

    /** Who this pod is, for /status and as the Lease holder; the probe works without it (a laptop, a plain container). */
    record Who(String pod, Integer ordinal, String namespace) {
    }

    /** {@code podName} null or empty: the hostname, as Kubernetes sets it to the pod's name. */
    static Who who(String podName, String namespace, String hostname) {
        Map<String, String> env = new java.util.HashMap<>();
        if (podName != null) {
            env.put("POD_NAME", podName);
        }
        if (namespace != null) {
            env.put("POD_NAMESPACE", namespace);
        }
        try {
            PodIdentity id = PodIdentity.fromEnv(env, hostname, null, null, PodIdentity.DEFAULT_CLUSTER_DOMAIN);
            return new Who(id.podName(), id.ordinal(), id.namespace());
        } catch (AgentException e) {
            Log.of("probe").debug("no StatefulSet pod identity: " + e.getMessage());
            return new Who(podName == null || podName.isBlank() ? hostname : podName, null,
                    namespace == null || namespace.isBlank() ? PodIdentity.DEFAULT_NAMESPACE : namespace);
        }
    }

    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9a-fA-F:.]+)\\]|([^:\\[\\]]*)):(\\d{1,5})");

    static InetSocketAddress parseListen(String listen) {
        Matcher m = LISTEN.matcher(listen == null ? "" : listen.strip());
        if (!m.matches() || Integer.parseInt(m.group(3)) > 65535) {
            throw new AgentException(ExitCode.USAGE, "--listen must be HOST:PORT (like 0.0.0.0:9800 or [::]:9800), was '" + listen + "'");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        int port = Integer.parseInt(m.group(3));
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new AgentException(ExitCode.USAGE, "--listen host '" + host + "' does not resolve");
        }
    }
}
