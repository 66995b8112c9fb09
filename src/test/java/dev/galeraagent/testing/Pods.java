package dev.galeraagent.testing;

import dev.galeraagent.discovery.DiscoveryResult;
import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.PodIdentity;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pod identities and DNS answers for tests that run several "pods" on loopback addresses without a DNS server. */
public final class Pods {
    private Pods() {
    }

    /** Pod {@code galera-<ordinal>} in namespace default, service galera, domain cluster.local; {@code ip} may be null. */
    public static PodIdentity identity(int ordinal, String ip) {
        Map<String, String> env = new HashMap<>();
        env.put("POD_NAME", "galera-" + ordinal);
        if (ip != null) {
            env.put("POD_IP", ip);
        }
        return PodIdentity.fromEnv(env, null, null, "galera", "cluster.local");
    }

    /** What DNS would answer when pod {@code i} lives at {@code prefix + (first + i)}, such as 127.0.10.20 + i. */
    public static DiscoveryResult loopback(PodIdentity id, int replicas, String prefix, int first) {
        List<PeerDns> peers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            InetAddress a = InetAddress.ofLiteral(prefix + (first + i));
            peers.add(new PeerDns(i, id.peerFqdn(i), new DiscoveryResult.Resolved(List.of(a))));
        }
        return new DiscoveryResult(peers, List.of(), Duration.ZERO);
    }
}
