package dev.galeraagent.cli;

import dev.galeraagent.bootstrap.BootstrapLoop;
import dev.galeraagent.bootstrap.BootstrapSettings;
import dev.galeraagent.bootstrap.HttpPeerProbe;
import dev.galeraagent.bootstrap.Identity;
import dev.galeraagent.bootstrap.PeerDirectory;
import dev.galeraagent.bootstrap.PeerProbe;
import dev.galeraagent.bootstrap.PlannerInput;
import dev.galeraagent.bootstrap.StateBoard;
import dev.galeraagent.log.Log;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent bootstrap}: decides how this pod's mysqld starts and writes its Galera config. */
@Command(
        name = "bootstrap",
        mixinStandardHelpOptions = true,
        description = {
            "Works out who this pod is, finds its peers, reads this node's Galera state, decides with the peers",
            "(new cluster, join, bootstrap from here, wait, refuse) and writes galera.cnf. --dry-run prints the",
            "decision, its reasons and the files it would write, and changes nothing."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:decided; config written (or dry run)", " 2:bad usage", " 3:refused: going on could lose data",
            " 4:timed out waiting", " 5:environment failure", " 6:file I/O failure or corrupt grastate.dat"})
public final class BootstrapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--pod-name", defaultValue = "${env:POD_NAME:-}", description = "This pod's name, <statefulset>-<ordinal>; default: the hostname. (env: POD_NAME)")
    String podName;

    @Option(names = "--pod-namespace", defaultValue = "${env:POD_NAMESPACE:-default}", description = "This pod's namespace. (env: POD_NAMESPACE)")
    String namespace;

    @Option(names = "--pod-ip", defaultValue = "${env:POD_IP:-}", description = "This pod's IP, used as wsrep_node_address and to serve /status; default: none, the pod's name is used. (env: POD_IP)")
    String podIp;

    @Option(names = "--service", defaultValue = "${env:AGENT_SERVICE:-galera}", description = "The headless Service. (env: AGENT_SERVICE)")
    String service;

    @Option(names = "--cluster-domain", defaultValue = "${env:AGENT_CLUSTER_DOMAIN:-cluster.local}", description = "The cluster's DNS domain. (env: AGENT_CLUSTER_DOMAIN)")
    String clusterDomain;

    @Option(names = "--replicas", defaultValue = "${env:AGENT_REPLICAS:-}", description = "The StatefulSet's replicas. (env: AGENT_REPLICAS)")
    String replicas;

    @Option(names = "--datadir", defaultValue = "${env:AGENT_DATADIR:-/var/lib/mysql}", description = "MariaDB's data directory. (env: AGENT_DATADIR)")
    Path datadir;

    @Option(names = "--config-dir", defaultValue = "${env:AGENT_CONFIG_DIR:-/etc/mysql/conf.d}", description = "Where galera.cnf is written. (env: AGENT_CONFIG_DIR)")
    Path configDir;

    @Option(names = "--config-name", defaultValue = "${env:AGENT_CONFIG_NAME:-galera.cnf}", description = "The config file's name. (env: AGENT_CONFIG_NAME)")
    String configName;

    @Option(names = "--extra-config", defaultValue = "${env:AGENT_EXTRA_CONFIG:-}", paramLabel = "FILE", description = "Your own config file, !included, never read. (env: AGENT_EXTRA_CONFIG)")
    String extraConfig;

    @Option(names = "--secret-config", defaultValue = "${env:AGENT_SECRET_CONFIG:-}", paramLabel = "FILE", description = "A 0600 file with wsrep_sst_auth, !included, never read. (env: AGENT_SECRET_CONFIG)")
    String secretConfig;

    @Option(names = "--tls-dir", defaultValue = "${env:AGENT_TLS_DIR:-}", paramLabel = "DIR", description = "Directory with tls.crt, tls.key and ca.crt for MariaDB and Galera TLS; default: no TLS. (env: AGENT_TLS_DIR)")
    String tlsDir;

    @Option(names = "--cluster-name", defaultValue = "${env:AGENT_CLUSTER_NAME:-}", description = "wsrep_cluster_name; default: the StatefulSet's name. (env: AGENT_CLUSTER_NAME)")
    String clusterName;

    @Option(names = "--sst-method", defaultValue = "${env:AGENT_SST_METHOD:-mariabackup}", description = "mariabackup or rsync. (env: AGENT_SST_METHOD)")
    String sstMethod;

    @Option(names = "--wsrep-provider", defaultValue = "${env:AGENT_WSREP_PROVIDER:-/usr/lib/galera/libgalera_smm.so}", description = "The Galera library. (env: AGENT_WSREP_PROVIDER)")
    String provider;

    @Option(names = "--mariadbd", defaultValue = "${env:AGENT_MARIADBD:-mariadbd}", description = "The server binary, for --wsrep-recover. (env: AGENT_MARIADBD)")
    String mariadbd;

    @Option(names = "--recover-timeout", defaultValue = "${env:AGENT_RECOVER_TIMEOUT:-120s}", description = "Longest mariadbd --wsrep-recover may run. (env: AGENT_RECOVER_TIMEOUT)")
    String recoverTimeout;

    @Option(names = "--timeout", defaultValue = "${env:AGENT_TIMEOUT:-600s}", description = "Longest the decision may wait. (env: AGENT_TIMEOUT)")
    String timeout;

    @Option(names = "--status-port", defaultValue = "${env:AGENT_STATUS_PORT:-9800}", description = "Port of the peers' /status, and where this pod serves its own while it waits; 0: do not serve. (env: AGENT_STATUS_PORT)")
    int statusPort;

    @Option(names = "--bind-address", defaultValue = "${env:AGENT_BIND_ADDRESS:-0.0.0.0}", description = "mysqld's and Galera's listen address. (env: AGENT_BIND_ADDRESS)")
    String bindAddress;

    @Option(names = "--dry-run", defaultValue = "${env:AGENT_DRY_RUN:-false}", description = "Print the decision and the files it would write; change nothing. (env: AGENT_DRY_RUN)")
    boolean dryRun;

    @Override
    public Integer call() {
        Log.setDebug(common.verbose);
        BootstrapSettings settings = settings();
        // Seam for the lead: the discovery package's DNS directory and PeerStatusClient, and kube's StateBoard, go here.
        PeerDirectory directory = () -> settings.identity().peers(settings.replicas());
        PeerProbe probe = new HttpPeerProbe(statusPort == 0 ? 9800 : statusPort, Duration.ofSeconds(2));
        new BootstrapLoop(settings, directory, probe, StateBoard.NONE, spec.commandLine().getOut()).run();
        return ExitCode.OK.code();
    }

    BootstrapSettings settings() {
        Identity identity;
        try {
            identity = Identity.of(podName.isEmpty() ? hostname() : podName, namespace, service, clusterDomain,
                    podIp.isEmpty() ? Optional.empty() : Optional.of(podIp));
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.USAGE, e.getMessage());
        }
        int n;
        try {
            n = Integer.parseInt(replicas.strip());
        } catch (NumberFormatException e) {
            throw new AgentException(ExitCode.USAGE, "--replicas: " + (replicas.isBlank() ? "required (the StatefulSet's replicas)" : "not a number: '" + replicas + "'"));
        }
        if (n < 1 || n > 1000) {
            throw new AgentException(ExitCode.USAGE, "--replicas: must be 1 to 1000, was " + n);
        }
        if (identity.ordinal() >= n) {
            throw new AgentException(ExitCode.USAGE, "pod " + identity.podName() + " has ordinal " + identity.ordinal() + " but --replicas is " + n);
        }
        if (!configName.matches("[A-Za-z0-9._-]+\\.cnf")) {
            throw new AgentException(ExitCode.USAGE, "--config-name: '" + configName + "' must be a plain file name ending in .cnf");
        }
        if (statusPort < 0 || statusPort > 65535) {
            throw new AgentException(ExitCode.USAGE, "--status-port: must be 0 to 65535, was " + statusPort);
        }
        return new BootstrapSettings(identity, n, datadir, configDir, configName, path(extraConfig), path(secretConfig), path(tlsDir),
                clusterName.isEmpty() ? identity.statefulSet() : clusterName, sstMethod, provider, mariadbd,
                Durations.parse("--recover-timeout", recoverTimeout), Durations.parse("--timeout", timeout), statusPort, bindAddress, dryRun,
                PlannerInput.majority(n), false, Optional.empty());
    }

    private static Optional<Path> path(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s));
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new AgentException(ExitCode.ENVIRONMENT, "no --pod-name and no hostname: " + e.getMessage());
        }
    }
}
