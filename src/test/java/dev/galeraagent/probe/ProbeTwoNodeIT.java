package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.testing.LocalMariaDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real two-node Galera cluster: a joiner is probed while it joins (never "not live"), and the survivor
 * of a lost peer, outside a Primary component, stays live but not ready.
 */
class ProbeTwoNodeIT {
    @TempDir
    Path tmp;

    static String joinerConfig(String address, String peer) {
        return String.join("\n",
                "wsrep_on = ON",
                "wsrep_provider = " + LocalMariaDb.GALERA,
                "wsrep_cluster_name = test",
                "wsrep_cluster_address = gcomm://" + peer + ":4567",
                "wsrep_node_address = " + address,
                "wsrep_sst_method = rsync",
                "wsrep_sst_receive_address = " + address + ":4444",
                "wsrep_provider_options = \"gmcast.listen_addr=tcp://" + address + ":4567;ist.recv_addr=" + address + ":4568;gcache.size=16M\"");
    }

    @Test
    void aJoinerIsNeverNotLiveAndASurvivorWithoutQuorumIsLiveButNotReady() throws Exception {
        assumeTrue(LocalMariaDb.galeraInstalled(), "mariadb-server and galera-4 are installed by scripts/install-deps.sh");
        try (LocalMariaDb a = LocalMariaDb.create(tmp.resolve("a"), "127.0.30.40", 3306, true, "");
                LocalMariaDb b = LocalMariaDb.create(tmp.resolve("b"), "127.0.30.41", 3306, false, joinerConfig("127.0.30.41", "127.0.30.40"))) {
            a.start();
            ProbeMariaDbIT.createProbeUser(a); // replicated to b by the state transfer
            ProbeMariaDbIT.awaitSynced(a);

            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            try (ProbeService probeB = new ProbeService(
                    new MariaDbStatusReader(ProbeMariaDbIT.access(b, ProbeMariaDbIT.PASSWORD)),
                    new NodeFiles(b.dataDir(), null), ProbeMariaDbIT.policy(b), Duration.ZERO, Duration.ofSeconds(1), "test", null, null)) {
                CompletableFuture<Void> join = CompletableFuture.runAsync(() -> {
                    try {
                        b.start();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // the sidecar starts with the pod: it probes b from before mysqld listens until b is Synced
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                Health h;
                do {
                    h = probeB.health();
                    seen.add((h.live().ok() ? "LIVE " : "DEAD ") + (h.ready().ok() ? "READY " : "") + h.ready().reason());
                    Thread.sleep(50);
                } while (!h.ready().ok() && System.nanoTime() < deadline);
                join.get();
                System.out.println("verdicts seen while b joined:\n  " + String.join("\n  ", List.copyOf(seen).stream().distinct().toList()));
                assertThat(h.ready().ok()).as("b became ready: " + h.ready().reason()).isTrue();
                assertThat(seen).as("liveness while joining").noneMatch(v -> v.startsWith("DEAD"));
                // rsync SST takes seconds (LAB.md): the SST scripts' marker is seen while mysqld does not listen
                assertThat(seen).as("the state transfer was recognised").anyMatch(v -> v.startsWith("LIVE not ready: a state transfer is in progress"));
                assertThat(b.status("wsrep_cluster_size")).isEqualTo("2");

                b.kill9(); // a loses half of its cluster: no quorum
                ProbePolicy policyA = ProbeMariaDbIT.policy(a);
                try (ProbeService probeA = new ProbeService(new MariaDbStatusReader(ProbeMariaDbIT.access(a, ProbeMariaDbIT.PASSWORD)),
                        new NodeFiles(a.dataDir(), null), policyA, Duration.ZERO, Duration.ofSeconds(1), "test", null, null)) {
                    Health ha = probeA.health();
                    for (int i = 0; i < 300 && ha.ready().ok(); i++) {
                        Thread.sleep(100);
                        ha = probeA.health();
                    }
                    System.out.println("survivor: " + ha);
                    assertThat(ha.ready().ok()).isFalse();
                    assertThat(ha.ready().reason()).isEqualTo("not ready: not in a Primary component (wsrep_cluster_status=non-Primary)");
                    assertThat(ha.live().ok()).as(ha.live().reason()).isTrue();
                    assertThat(ha.live().reason()).contains("a restart would not help");
                }
            }
        }
    }
}
