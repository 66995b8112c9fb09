package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;
import dev.galeraagent.position.Uuids;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Galera settings {@code agent bootstrap} writes for mysqld ({@code galera.cnf}), validated on
 * construction so that no value can inject config.
 *
 * <p>The file is the same for every decision (rule 10): the cluster address always lists all
 * peers, and it never carries a bootstrap setting or a recovered position. Those are one-shot settings, right only for the
 * next start: they go into {@link OneShot}, a separate file in {@link #oneShotDir()}, which galera.cnf
 * includes and which the {@code probe serve} sidecar deletes once the node is Primary (docs/architecture.md,
 * "Rule 10"). A container restart then starts from galera.cnf alone and joins the existing Primary.
 *
 * @param clusterName   {@code wsrep_cluster_name}
 * @param nodeName      {@code wsrep_node_name} (the pod name)
 * @param nodeAddress   {@code wsrep_node_address}: the address peers reach this node on (pod IP or FQDN)
 * @param bindAddress   {@code bind_address} and Galera's listen address
 * @param peers         every peer's name or address, this node included; never empty
 * @param galeraPort    group communication port (4567)
 * @param istPort       incremental state transfer port (4568)
 * @param sstPort       state snapshot transfer port (4444)
 * @param provider      path of libgalera_smm.so
 * @param sstMethod     {@code mariabackup} or {@code rsync}
 * @param gcacheSize    {@code gcache.size}
 * @param serverId      {@code server_id}: the ordinal plus one, since 0 means "unset" to MariaDB
 * @param extraConfig   the user's file, included after ours so it can override; never read
 * @param secretConfig  the 0600 file with {@code wsrep_sst_auth}; included, never read
 * @param tlsDir        directory with {@code tls.crt}, {@code tls.key}, {@code ca.crt}, or empty for no TLS
 * @param oneShotDir    directory of one-shot files, included with {@code !includedir}
 */
public record GaleraConfig(
        String clusterName,
        String nodeName,
        String nodeAddress,
        String bindAddress,
        List<String> peers,
        int galeraPort,
        int istPort,
        int sstPort,
        String provider,
        String sstMethod,
        String gcacheSize,
        int serverId,
        Optional<String> extraConfig,
        Optional<String> secretConfig,
        Optional<String> tlsDir,
        String oneShotDir) {

    public static final List<String> SST_METHODS = List.of("mariabackup", "rsync");

    public GaleraConfig {
        ConfigValues.name("wsrep_cluster_name", clusterName);
        ConfigValues.name("wsrep_node_name", nodeName);
        ConfigValues.host("wsrep_node_address", nodeAddress);
        ConfigValues.host("bind_address", bindAddress);
        Objects.requireNonNull(peers, "peers");
        if (peers.isEmpty()) {
            throw new InvalidFieldException("wsrep_cluster_address", "no peers: an empty gcomm:// would bootstrap a new cluster on every start");
        }
        peers = List.copyOf(peers);
        for (int i = 0; i < peers.size(); i++) {
            ConfigValues.host("wsrep_cluster_address peer " + i, peers.get(i));
        }
        ConfigValues.port("galera port", galeraPort);
        ConfigValues.port("ist port", istPort);
        ConfigValues.port("sst port", sstPort);
        ConfigValues.path("wsrep_provider", provider);
        if (!SST_METHODS.contains(sstMethod)) {
            throw new InvalidFieldException("wsrep_sst_method", "must be one of " + SST_METHODS + ", was '" + Uuids.printable(String.valueOf(sstMethod)) + "'");
        }
        ConfigValues.size("gcache.size", gcacheSize);
        if (serverId < 1) {
            throw new InvalidFieldException("server_id", "must be 1 or more, was " + serverId);
        }
        extraConfig.ifPresent(p -> ConfigValues.path("extra config", p));
        secretConfig.ifPresent(p -> ConfigValues.path("secret config", p));
        tlsDir.ifPresent(p -> ConfigValues.path("tls directory", p));
        ConfigValues.path("one-shot directory", oneShotDir);
    }

    /** {@code gcomm://} of all peers with the Galera port. */
    public String clusterAddress() {
        return "gcomm://" + String.join(",", peers.stream().map(p -> ConfigValues.hostPort(p, galeraPort)).toList());
    }

    public String render() {
        return render(true);
    }

    private String render(boolean withOneShot) {
        List<String> provider = new ArrayList<>(List.of(
                "gmcast.listen_addr=tcp://" + ConfigValues.hostPort(bindAddress, galeraPort),
                "ist.recv_addr=" + ConfigValues.hostPort(nodeAddress, istPort),
                "gcache.size=" + gcacheSize,
                // a node restarted together with all members of its last Primary restores it (gvwstate.dat)
                "pc.recovery=TRUE"));
        // pc.wait_prim stays at its default (yes): a node that reaches no Primary exits after pc.wait_prim_timeout
        // (about 30 s) and its container restarts; with no, it stayed non-Primary forever and ignored SIGTERM for 28 s
        StringBuilder b = new StringBuilder();
        b.append("# Written by agent bootstrap; rewritten at every pod start, do not edit.\n")
                .append("# Your own settings belong in the extra config file, included at the end.\n")
                .append("[mysqld]\n")
                .append("server_id = ").append(serverId).append('\n')
                .append("bind_address = ").append(bindAddress).append('\n')
                .append("binlog_format = ROW\n")
                .append("default_storage_engine = InnoDB\n")
                .append("innodb_autoinc_lock_mode = 2\n");
        tlsDir.ifPresent(dir -> {
            b.append("ssl_cert = ").append(dir).append("/tls.crt\n")
                    .append("ssl_key = ").append(dir).append("/tls.key\n")
                    .append("ssl_ca = ").append(dir).append("/ca.crt\n");
            provider.add("socket.ssl_cert=" + dir + "/tls.crt");
            provider.add("socket.ssl_key=" + dir + "/tls.key");
            provider.add("socket.ssl_ca=" + dir + "/ca.crt");
        });
        b.append('\n')
                .append("[galera]\n")
                .append("wsrep_on = ON\n")
                .append("wsrep_provider = ").append(this.provider).append('\n')
                .append("wsrep_cluster_name = ").append(clusterName).append('\n')
                .append("wsrep_cluster_address = ").append(clusterAddress()).append('\n')
                .append("wsrep_node_name = ").append(nodeName).append('\n')
                // Galera splits an optional port off this address: an IPv6 address goes in brackets
                .append("wsrep_node_address = ").append(ConfigValues.bracketed(nodeAddress)).append('\n')
                .append("wsrep_sst_method = ").append(sstMethod).append('\n')
                .append("wsrep_sst_receive_address = ").append(ConfigValues.hostPort(nodeAddress, sstPort)).append('\n')
                .append("wsrep_provider_options = \"").append(String.join(";", provider)).append("\"\n");
        b.append('\n');
        extraConfig.ifPresent(p -> b.append("!include ").append(p).append('\n'));
        secretConfig.ifPresent(p -> b.append("!include ").append(p).append('\n'));
        if (withOneShot) {
            b.append("!includedir ").append(oneShotDir).append('\n');
        }
        return b.toString();
    }

    /**
     * The defaults file for {@code mariadbd --wsrep-recover}: this config without the one-shot directory
     * (mysqld checks the Galera settings even to recover, and the user's InnoDB settings must match the
     * data), plus the data directory and {@code user=mysql} when run as root.
     */
    public String recoverDefaults(String datadir, boolean asRoot) {
        return recoverDefaults(datadir, asRoot ? java.util.Optional.of("mysql") : java.util.Optional.empty());
    }

    /** The same, with {@code user = runAs} when mariadbd starts as root and must switch to the data directory's owner. */
    public String recoverDefaults(String datadir, java.util.Optional<String> runAs) {
        ConfigValues.path("datadir", datadir);
        StringBuilder b = new StringBuilder("[mysqld]\n");
        if (runAs.isPresent()) {
            if (!runAs.get().matches("[A-Za-z0-9_][A-Za-z0-9_.-]*")) {
                throw new InvalidFieldException("user", "not a user name mariadbd accepts: '" + Uuids.printable(runAs.get()) + "'");
            }
            b.append("user = ").append(runAs.get()).append('\n');
        }
        b.append("datadir = ").append(datadir).append('\n');
        String body = render(false);
        // recovery serves no client: never bind a port, whatever the config says
        return b + body + "[mysqld]\nskip_networking\n";
    }

    /**
     * The settings that are right only for the next start of mysqld after a decision; written to
     * {@link #FILE_NAME} in the one-shot directory and deleted by the sidecar once the node is Primary.
     *
     * @param newCluster     start a new Primary component from this node ({@code wsrep_new_cluster})
     * @param startPosition  the position recovered with {@code --wsrep-recover} ({@code wsrep_start_position})
     */
    public record OneShot(boolean newCluster, Optional<Position> startPosition) {
        public static final String FILE_NAME = "bootstrap.cnf";

        public OneShot {
            Objects.requireNonNull(startPosition, "startPosition");
        }

        public boolean isEmpty() {
            return !newCluster && startPosition.isEmpty();
        }

        /**
         * Reads back what {@link #render()} wrote (option names with {@code -} or {@code _}); anything else in the
         * file is an {@link InvalidFieldException}, since a one-shot file nobody understands must not be guessed at.
         */
        public static OneShot parse(String text) {
            boolean newCluster = false;
            Optional<Position> position = Optional.empty();
            for (String raw : text.split("\r?\n|\r")) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.equals("[galera]") || line.equals("[mysqld]") || line.equals("[mariadb]")) {
                    continue;
                }
                int eq = line.indexOf('=');
                String key = (eq < 0 ? line : line.substring(0, eq)).strip().replace('-', '_');
                String value = eq < 0 ? "" : line.substring(eq + 1).strip();
                switch (key) {
                    case "wsrep_new_cluster" -> {
                        if (!value.isEmpty() && !value.equals("1") && !value.equalsIgnoreCase("ON")) {
                            throw new InvalidFieldException("wsrep_new_cluster", "unexpected value '" + Uuids.printable(value) + "'");
                        }
                        newCluster = true;
                    }
                    case "wsrep_start_position" -> position = Optional.of(Position.parse("wsrep_start_position", value));
                    default -> throw new InvalidFieldException("one-shot file", "unexpected line '" + Uuids.printable(line) + "'");
                }
            }
            return new OneShot(newCluster, position);
        }

        public String render() {
            StringBuilder b = new StringBuilder("# One-shot settings of agent bootstrap for the next start only;\n"
                    + "# probe serve deletes this file once the node is Primary.\n[galera]\n");
            if (newCluster) {
                b.append("wsrep_new_cluster\n");
            }
            startPosition.ifPresent(p -> b.append("wsrep_start_position = ").append(p).append('\n'));
            return b.toString();
        }
    }
}
