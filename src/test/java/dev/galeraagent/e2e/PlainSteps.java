package dev.galeraagent.e2e;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The cluster without the agent, as the lab ran it by hand: an init container writes a fixed
 * Galera config and, on pod 0 with an empty data directory, asks for a new cluster once; joiners'
 * init containers wait until pod 0's Galera port answers. Proves the harness; also the baseline
 * the agent is measured against.
 */
public final class PlainSteps implements PodSteps {
    /** What the image's initdb scripts would create on a new data directory. */
    static final String INIT_SQL = "CREATE USER 'probe'@'%' IDENTIFIED BY 'probe-pass';\nGRANT USAGE ON *.* TO 'probe'@'%';";

    private final String sstMethod;

    public PlainSteps() {
        this("rsync");
    }

    public PlainSteps(String sstMethod) {
        this.sstMethod = sstMethod;
    }

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public List<Container> initContainers(Pod pod) {
        String script = """
                conf=$1; data=$2; printf '%s' "$3" > "$conf/galera.cnf"
                if [ -e "$data/grastate.dat" ]; then
                  echo "plain: state found, starting as it is"
                elif [ "$ORDINAL" = 0 ]; then
                  touch "$conf/new-cluster"; echo "plain: pod 0 with no state: new cluster"
                else
                  echo "plain: no state, waiting for $FIRST:4567"
                  until bash -c 'exec 3<>"/dev/tcp/$0/4567"' "$FIRST" 2>/dev/null; do sleep 0.3; done
                  echo "plain: $FIRST answers, joining"
                fi
                """;
        return List.of(new Container("plain-config",
                List.of("bash", "-c", script, "plain-config", pod.configDir().toString(), pod.dataDir().toString(), config(pod)),
                Map.of("ORDINAL", Integer.toString(pod.ordinal()), "FIRST", PodNetwork.fqdn(0))));
    }

    @Override
    public Container mariadb(Pod pod) {
        // the request to bootstrap is used once, like running galera_new_cluster by hand; so are
        // the arguments a person gives for one start (ManualRecovery)
        String preamble = """
                if [ -e "$CONF/new-cluster" ]; then rm -f "$CONF/new-cluster"; set -- "$@" --wsrep-new-cluster; fi
                if [ -e "$HAND" ]; then set -- "$@" $(cat "$HAND"); rm -f "$HAND"; fi
                """;
        return new Container("mariadb", pod.mariadbEntry(preamble),
                Map.of("CONF", pod.configDir().toString(), "HAND", handArgs(pod).toString(), "INIT_SQL", INIT_SQL));
    }

    /** Arguments for the next start of the pod's mariadbd only, as a person would type them. */
    static java.nio.file.Path handArgs(Pod pod) {
        return pod.dir().resolve("by-hand.args");
    }

    /** The lab's node config: every address set, rsync SST (no SST user needed), small gcache. */
    String config(Pod pod) {
        String peers = IntStream.range(0, pod.replicas()).mapToObj(i -> PodNetwork.fqdn(i) + ":4567").collect(Collectors.joining(","));
        String ip = pod.ip();
        return """
                # written by the plain init container
                [mysqld]
                bind-address              = %1$s
                binlog_format             = ROW
                default_storage_engine    = InnoDB
                innodb_autoinc_lock_mode  = 2
                wsrep_on                  = ON
                wsrep_provider            = /usr/lib/galera/libgalera_smm.so
                wsrep_cluster_name        = galera
                wsrep_cluster_address     = gcomm://%2$s
                wsrep_node_name           = %3$s
                wsrep_node_address        = %1$s
                wsrep_sst_receive_address = %1$s:4444
                wsrep_sst_method          = %4$s
                wsrep_slave_threads       = 2
                wsrep_provider_options    = "gmcast.listen_addr=tcp://%1$s:4567;ist.recv_addr=%1$s:4568;gcache.size=32M;gcache.page_size=32M"
                """.formatted(ip, peers, pod.name(), sstMethod);
    }
}
