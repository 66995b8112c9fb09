package dev.galeraagent.discovery;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link DnsDiscovery} found: for every peer (this pod included) its addresses or why it has none,
 * and the headless Service's SRV records.
 *
 * @param peers the pods {@code 0 .. replicas-1}, in ordinal order
 * @param srv   one entry per SRV name asked ({@code _galera._tcp...}, {@code _mysql._tcp...})
 * @param took  how long the lookups took
 */
public record DiscoveryResult(List<PeerDns> peers, List<SrvLookup> srv, Duration took) {

    public DiscoveryResult {
        peers = List.copyOf(peers);
        srv = List.copyOf(srv);
    }

    /** One peer's A/AAAA lookup. */
    public record PeerDns(int ordinal, String fqdn, Resolution resolution) {
        public boolean resolved() {
            return resolution instanceof Resolved;
        }

        /** The addresses, empty when not resolved. */
        public List<InetAddress> addresses() {
            return resolution instanceof Resolved(List<InetAddress> addresses) ? addresses : List.of();
        }

        String shortName() {
            int dot = fqdn.indexOf('.');
            return dot > 0 ? fqdn.substring(0, dot) : fqdn;
        }
    }

    /** The outcome of a name's lookup. */
    public sealed interface Resolution permits Resolved, Unresolved {
    }

    /** The name has these addresses (IPv4 first, then IPv6; never empty). */
    public record Resolved(List<InetAddress> addresses) implements Resolution {
        public Resolved {
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a resolved name has at least one address");
            }
        }
    }

    /**
     * The name gave no address.
     *
     * @param failure  the kind of failure (NXDOMAIN, timeout, SERVFAIL, ...)
     * @param detail   a short text for people, such as {@code "no answer from 10.96.0.10:53 in 4 attempts"}
     * @param attempts how many queries were sent
     */
    public record Unresolved(DnsFailure failure, String detail, int attempts) implements Resolution {
    }

    /**
     * One SRV name's records; empty with a failure when the name has none (a Service without that
     * named port is normal, so this is never an error).
     */
    public record SrvLookup(String name, List<SrvTarget> targets, DnsFailure failure, String detail) {
        public SrvLookup {
            targets = List.copyOf(targets);
        }
    }

    /** One SRV record: the target host (no trailing dot) and its port. */
    public record SrvTarget(String target, int port, int priority, int weight) {
    }

    /** The peers that resolved. */
    public List<PeerDns> resolvedPeers() {
        return peers.stream().filter(PeerDns::resolved).toList();
    }

    /** The peer with this ordinal. */
    public PeerDns peer(int ordinal) {
        return peers.stream().filter(p -> p.ordinal() == ordinal).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no peer with ordinal " + ordinal));
    }

    /** The address galera.cnf gives pod {@code id}: {@code POD_IP} when given, else its own name as DNS resolves it, else that name. */
    public String nodeAddress(PodIdentity id) {
        if (id.podIp() != null) {
            return id.podIp();
        }
        return peers.stream().filter(p -> p.ordinal() == id.ordinal() && p.resolved())
                .map(p -> p.addresses().getFirst().getHostAddress()).findFirst().orElse(id.fqdn());
    }

    /**
     * One line for logs and {@code --dry-run}, such as
     * {@code 2/3 peers resolved in 12 ms: galera-0 10.0.0.1, galera-1 10.0.0.2, galera-2 NXDOMAIN; SRV _galera._tcp 2 targets, _mysql._tcp none (NXDOMAIN)}.
     */
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (PeerDns p : peers) {
            parts.add(p.shortName() + " " + switch (p.resolution()) {
                case Resolved r -> r.addresses().stream().map(InetAddress::getHostAddress).collect(Collectors.joining(","));
                case Unresolved u -> u.failure().name();
            });
        }
        List<String> srvParts = new ArrayList<>();
        for (SrvLookup s : srv) {
            String[] labels = s.name().split("\\.", 3);
            String label = labels.length >= 2 ? labels[0] + "." + labels[1] : s.name();
            srvParts.add(label + " " + (s.targets().isEmpty()
                    ? "none (" + (s.failure() == null ? "no records" : s.failure().name()) + ")"
                    : s.targets().size() + (s.targets().size() == 1 ? " target" : " targets")));
        }
        return resolvedPeers().size() + "/" + peers.size() + " peers resolved in " + took.toMillis() + " ms: "
                + String.join(", ", parts) + (srvParts.isEmpty() ? "" : "; SRV " + String.join(", ", srvParts));
    }
}
