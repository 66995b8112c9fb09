package dev.galeraagent.cli;

import dev.galeraagent.handoff.HandOffLease;

import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.bootstrap.BootstrapLoop;
import dev.galeraagent.bootstrap.ForcedBootstrap;
import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.bootstrap.BootstrapSettings;
import dev.galeraagent.bootstrap.StateBoard;
import dev.galeraagent.discovery.DnsDiscovery;
import dev.galeraagent.discovery.PeerStatusClient;
import dev.galeraagent.discovery.PodIdentity;
import dev.galeraagent.discovery.SystemFacts;
import dev.galeraagent.kube.KubeApi;
import dev.galeraagent.kube.KubeApiException;
import dev.galeraagent.kube.KubeStateBoard;
import dev.galeraagent.kube.StatefulSetInfo;
import dev.galeraagent.log.Log;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
        customSynopsis = "agent bootstrap [--dry-run] [OPTIONS]",
        description = {
            "Works out who this pod is, finds its peers over DNS, reads this node's Galera state, agrees with the other "
                + "pods through the Kubernetes API (or, without it, over their /status) whether to start a new cluster, join, "
                + "bootstrap from here, wait or refuse, and writes galera.cnf.",
            "--dry-run prints the decision, its reasons, the other pods' published states and the files it would write, "
                + "and changes nothing.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:decided; config written (or dry run)", " 2:bad usage", " 3:refused: going on could lose data",
            " 4:timed out waiting", " 5:environment failure", " 6:file I/O failure or corrupt grastate.dat"})
public final class BootstrapCommand implements Callable<Integer> {
    private static final Log LOG = Log.of("bootstrap");
    private static final int DEFAULT_STATUS_PORT = 9800;
    /** Per round: kube-dns answers in milliseconds; the loop asks again after its backoff. */
    private static final Duration DNS_DEADLINE = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--pod-name", paramLabel = "NAME", defaultValue = "${env:POD_NAME:-}", description = "This pod's name, <statefulset>-<ordinal>; default: the hostname. (env: POD_NAME)")
    String podName;

    @Option(names = "--pod-namespace", paramLabel = "NAMESPACE", defaultValue = "${env:POD_NAMESPACE:-default}", description = "This pod's namespace. Default: ${DEFAULT-VALUE}. (env: POD_NAMESPACE)")
    String namespace;

    @Option(names = "--pod-ip", paramLabel = "IP", defaultValue = "${env:POD_IP:-}", description = "This pod's IP, used as wsrep_node_address and to serve /status; default: its own name as DNS resolves it. (env: POD_IP)")
    String podIp;

    @Option(names = "--service", paramLabel = "NAME", defaultValue = "${env:AGENT_SERVICE:-galera}", description = "The headless Service. Default: ${DEFAULT-VALUE}. (env: AGENT_SERVICE)")
    String service;

    @Option(names = "--cluster-domain", paramLabel = "DOMAIN", defaultValue = "${env:AGENT_CLUSTER_DOMAIN:-}", description = "The cluster's DNS domain; default: from /etc/resolv.conf's search list, else cluster.local. (env: AGENT_CLUSTER_DOMAIN)")
    String clusterDomain;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "${env:AGENT_REPLICAS:-}", description = "The StatefulSet's replicas; default: from the StatefulSet through the API (then checked against it); required with --no-kube-api. (env: AGENT_REPLICAS)")
    String replicas;

    @Option(names = "--dns-server", defaultValue = "${env:AGENT_DNS_SERVER:-}", paramLabel = "HOST[:PORT]", description = "Ask this DNS server for the peers' names; default: the system's resolvers. (env: AGENT_DNS_SERVER)")
    String dnsServer;

    @Option(names = "--datadir", paramLabel = "DIR", defaultValue = "${env:AGENT_DATADIR:-/var/lib/mysql}", description = "MariaDB's data directory. Default: ${DEFAULT-VALUE}. (env: AGENT_DATADIR)")
    Path datadir;

    @Option(names = "--config-dir", paramLabel = "DIR", defaultValue = "${env:AGENT_CONFIG_DIR:-/etc/mysql/conf.d}", description = "Where galera.cnf is written. Default: ${DEFAULT-VALUE}. (env: AGENT_CONFIG_DIR)")
    Path configDir;

    @Option(names = "--config-name", paramLabel = "FILE", defaultValue = "${env:AGENT_CONFIG_NAME:-galera.cnf}", description = "The config file's name. Default: ${DEFAULT-VALUE}. (env: AGENT_CONFIG_NAME)")
    String configName;

    @Option(names = "--extra-config", defaultValue = "${env:AGENT_EXTRA_CONFIG:-}", paramLabel = "FILE", description = "Your own config file, !included, never read. (env: AGENT_EXTRA_CONFIG)")
    String extraConfig;

    @Option(names = "--secret-config", defaultValue = "${env:AGENT_SECRET_CONFIG:-}", paramLabel = "FILE", description = "A 0600 file with wsrep_sst_auth, !included, never read. (env: AGENT_SECRET_CONFIG)")
    String secretConfig;

    @Option(names = "--tls-dir", defaultValue = "${env:AGENT_TLS_DIR:-}", paramLabel = "DIR", description = "Directory with tls.crt, tls.key and ca.crt for MariaDB and Galera TLS; default: no TLS. (env: AGENT_TLS_DIR)")
    String tlsDir;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "${env:AGENT_CLUSTER_NAME:-}", description = "wsrep_cluster_name; default: the StatefulSet's name. (env: AGENT_CLUSTER_NAME)")
    String clusterName;

    @Option(names = "--sst-method", paramLabel = "METHOD", defaultValue = "${env:AGENT_SST_METHOD:-mariabackup}", description = "mariabackup or rsync. Default: ${DEFAULT-VALUE}. (env: AGENT_SST_METHOD)")
    String sstMethod;

    @Option(names = "--wsrep-provider", paramLabel = "PATH", defaultValue = "${env:AGENT_WSREP_PROVIDER:-/usr/lib/galera/libgalera_smm.so}", description = "The Galera library. Default: ${DEFAULT-VALUE}. (env: AGENT_WSREP_PROVIDER)")
    String provider;

    @Option(names = "--mariadbd", paramLabel = "PATH", defaultValue = "${env:AGENT_MARIADBD:-mariadbd}", description = "The server binary, for --wsrep-recover. Default: ${DEFAULT-VALUE}. (env: AGENT_MARIADBD)")
    String mariadbd;

    @Option(names = "--recover-timeout", paramLabel = "DURATION", defaultValue = "${env:AGENT_RECOVER_TIMEOUT:-120s}", converter = DurationConverter.class, description = "Longest mariadbd --wsrep-recover may run. Default: ${DEFAULT-VALUE}. (env: AGENT_RECOVER_TIMEOUT)")
    Duration recoverTimeout;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "${env:AGENT_TIMEOUT:-600s}", converter = DurationConverter.class, description = "Longest the decision may wait. Default: ${DEFAULT-VALUE}. (env: AGENT_TIMEOUT)")
    Duration timeout;

    @Option(names = "--status-port", paramLabel = "PORT", defaultValue = "${env:AGENT_STATUS_PORT:-9800}", description = "Port of the peers' /status, and where this pod serves its own while it waits; 0: do not serve. Default: ${DEFAULT-VALUE}. (env: AGENT_STATUS_PORT)")
    int statusPort;

    @Option(names = "--bind-address", paramLabel = "IP", defaultValue = "${env:AGENT_BIND_ADDRESS:-0.0.0.0}", description = "mysqld's and Galera's listen address. Default: ${DEFAULT-VALUE}. (env: AGENT_BIND_ADDRESS)")
    String bindAddress;

    @Option(names = "--no-kube-api", defaultValue = "${env:AGENT_NO_KUBE_API:-false}", description = "Do not use the Kubernetes API: peers by DNS, states over their /status, no Lease (rule 9). (env: AGENT_NO_KUBE_API)")
    boolean noKubeApi;

    @Option(names = "--kubeconfig", defaultValue = "${env:KUBECONFIG:-}", paramLabel = "FILE", description = "Reach the API with this kubeconfig; default: the pod's service account. (env: KUBECONFIG)")
    String kubeconfig;

    @Option(names = "--statefulset", paramLabel = "NAME", defaultValue = "${env:AGENT_STATEFULSET:-}", description = "This pod's StatefulSet; default: the pod's owner. (env: AGENT_STATEFULSET)")
    String statefulSet;

    @Option(names = "--recovery-timeout", paramLabel = "DURATION", defaultValue = "${env:AGENT_RECOVERY_TIMEOUT:-5m}", converter = DurationConverter.class, description = "After a full outage, how long to wait for every pod's state before --recovery-quorum pods suffice. Default: ${DEFAULT-VALUE}. (env: AGENT_RECOVERY_TIMEOUT)")
    Duration recoveryTimeout;

    @Option(names = "--recovery-quorum", paramLabel = "N|all", defaultValue = "${env:AGENT_RECOVERY_QUORUM:-all}", description = "How many pods' states (this one included) suffice after --recovery-timeout: a number or 'all'. Default: ${DEFAULT-VALUE}. (env: AGENT_RECOVERY_QUORUM)")
    String recoveryQuorum;

    @Option(names = "--force-bootstrap-from", defaultValue = "${env:AGENT_FORCE_BOOTSTRAP_FROM:-}", paramLabel = "ORDINAL@UUID:SEQNO", description = "A person's choice: bootstrap from this pod whatever the others hold (their newer data is lost), only while it holds exactly this position (the REFUSE message and --dry-run show it), so an override left in place never bootstraps again at a later outage; logged and published. (env: AGENT_FORCE_BOOTSTRAP_FROM)")
    String forceBootstrapFrom;

    @Option(names = "--pod-uid", defaultValue = "${env:POD_UID:-}", paramLabel = "UID", description = "This Pod's uid (Downward API metadata.uid), published with its state so a deleted Pod's state is never taken for its successor's. (env: POD_UID)")
    String podUid;

    @Option(names = "--dry-run", defaultValue = "${env:AGENT_DRY_RUN:-false}", description = "Print the decision, the other pods' published states and the files it would write; change, publish and take nothing. (env: AGENT_DRY_RUN)")
    boolean dryRun;

    @Override
    public Integer call() {
        common.applyLogging();
        PodIdentity identity = identity();
        Optional<Integer> givenReplicas = replicasOption();
        Optional<ForcedBootstrap> forced = forcedOption();
        KubeApi api = null;
        StateBoard board = StateBoard.NONE;
        int n;
        try {
            if (noKubeApi) {
                n = givenReplicas.orElseThrow(() -> new AgentException(ExitCode.USAGE, "--replicas: required with --no-kube-api (the StatefulSet's replicas)"));
            } else {
                Connected c = connect(identity, givenReplicas);
                api = c.api();
                board = c.board();
                n = c.replicas();
            }
            BootstrapSettings settings = settings(identity, n, forced);
            DnsDiscovery dns = DnsDiscovery.create(dnsServer, DnsDiscovery.Settings.defaults().withDeadline(DNS_DEADLINE));
            try (PeerStatusClient peers = new PeerStatusClient()) {
                int port = statusPort == 0 ? DEFAULT_STATUS_PORT : statusPort;
                new BootstrapLoop(settings, () -> dns.discover(identity, n), list -> peers.fetchAll(list, port), board,
                        spec.commandLine().getOut()).run();
            }
        } finally {
            if (api != null) {
                api.close();
            }
        }
        return ExitCode.OK.code();
    }

    private record Connected(KubeApi api, StateBoard board, int replicas) {
    }

    /**
     * The StatefulSet through the API. No access (unreachable, forbidden) is said loudly, once, and the agent goes on
     * under rule 9, which needs --replicas; any other failure (no such StatefulSet) ends the run.
     */
    private Connected connect(PodIdentity identity, Optional<Integer> givenReplicas) {
        if (!statefulSet.isEmpty() && !statefulSet.equals(identity.statefulSet())) {
            throw new AgentException(ExitCode.USAGE, "--statefulset " + statefulSet + " does not match pod " + identity.podName()
                    + ", whose StatefulSet is " + identity.statefulSet());
        }
        KubeApi api = KubeApi.connect(path(kubeconfig), identity.namespace());
        try {
            StatefulSetInfo sts = api.statefulSet(identity.podName(), statefulSet.isEmpty() ? Optional.empty() : Optional.of(statefulSet));
            if (givenReplicas.isPresent() && givenReplicas.get() != sts.replicas()) {
                throw new AgentException(ExitCode.USAGE, "--replicas " + givenReplicas.get() + " disagrees with StatefulSet " + sts.name()
                        + ", whose spec.replicas is " + sts.replicas() + ": drop --replicas or fix it");
            }
            return new Connected(api, new KubeStateBoard(api, sts, identity.ordinal(), HandOffLease.DEFAULT_TERM), sts.replicas());
        } catch (KubeApiException e) {
            api.close();
            if (!e.noApiAccess()) {
                throw e;
            }
            String fallback = "Going on WITHOUT the API (rule 9): peers by DNS, their states over /status, no bootstrap Lease";
            if (givenReplicas.isEmpty()) {
                throw new AgentException(ExitCode.ENVIRONMENT, "Kubernetes API: " + e.getMessage()
                        + "; without the API the agent needs --replicas (AGENT_REPLICAS), or pass --no-kube-api with it", e);
            }
            LOG.error("Kubernetes API: " + e.getMessage() + ". " + fallback);
            return new Connected(null, StateBoard.NONE, givenReplicas.get());
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
    }

    private PodIdentity identity() {
        Map<String, String> env = new HashMap<>();
        env.put("POD_NAME", podName);
        env.put("POD_NAMESPACE", namespace);
        env.put("POD_IP", podIp);
        return PodIdentity.fromEnv(env, SystemFacts.hostname(), SystemFacts.resolvConf(SystemFacts.RESOLV_CONF), service, clusterDomain);
    }

    private Optional<Integer> replicasOption() {
        if (replicas.isBlank()) {
            return Optional.empty();
        }
        int n;
        try {
            n = Integer.parseInt(replicas.strip());
        } catch (NumberFormatException e) {
            throw new AgentException(ExitCode.USAGE, "--replicas: not a number: '" + replicas + "'");
        }
        if (n < 1 || n > 1000) {
            throw new AgentException(ExitCode.USAGE, "--replicas: must be 1 to 1000, was " + n);
        }
        return Optional.of(n);
    }

    private int quorum(int n) {
        if (recoveryQuorum.strip().equals("all")) {
            return n;
        }
        try {
            int q = Integer.parseInt(recoveryQuorum.strip());
            if (q >= 1 && q <= n) {
                return q;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AgentException(ExitCode.USAGE, "--recovery-quorum: must be 'all' or 1 to " + n + " (the replicas), was '" + recoveryQuorum + "'");
    }

    private Optional<ForcedBootstrap> forcedOption() {
        if (forceBootstrapFrom == null || forceBootstrapFrom.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ForcedBootstrap.parse("--force-bootstrap-from", forceBootstrapFrom.strip()));
        } catch (InvalidFieldException e) {
            throw new AgentException(ExitCode.USAGE, e.getMessage());
        }
    }

    BootstrapSettings settings(PodIdentity identity, int n, Optional<ForcedBootstrap> forced) {
        if (identity.ordinal() >= n) {
            throw new AgentException(ExitCode.USAGE, "pod " + identity.podName() + " has ordinal " + identity.ordinal() + " but the StatefulSet has " + n + " replicas");
        }
        if (forced.isPresent() && forced.get().ordinal() >= n) {
            throw new AgentException(ExitCode.USAGE, "--force-bootstrap-from: ordinal " + forced.get().ordinal() + " is outside the StatefulSet's " + n + " replicas");
        }
        if (!configName.matches("[A-Za-z0-9._-]+\\.cnf")) {
            throw new AgentException(ExitCode.USAGE, "--config-name: '" + configName + "' must be a plain file name ending in .cnf");
        }
        if (statusPort < 0 || statusPort > 65535) {
            throw new AgentException(ExitCode.USAGE, "--status-port: must be 0 to 65535, was " + statusPort);
        }
        // mariadbd reads these paths from the config file, relative to its own working directory: make them absolute here
        return new BootstrapSettings(identity, n, absolute(datadir), absolute(configDir), configName,
                path(extraConfig), path(secretConfig), path(tlsDir),
                clusterName.isEmpty() ? identity.statefulSet() : clusterName, sstMethod, provider, mariadbd,
                recoverTimeout, timeout, statusPort, bindAddress, dryRun, quorum(n), recoveryTimeout, forced,
                podUid == null || podUid.isBlank() ? Optional.empty() : Optional.of(podUid.strip()));
    }

    private static Optional<Path> path(String s) {
        if (s == null || s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(absolute(Path.of(s)));
        } catch (java.nio.file.InvalidPathException e) {
            // a NUL in an option or an environment variable: the user's mistake, not an internal error
            throw new AgentException(ExitCode.USAGE, "'" + s.replaceAll("\\p{Cntrl}", "?") + "' is not a valid path: " + e.getReason());
        }
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
