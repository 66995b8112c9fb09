package dev.galeraagent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult.Resolved;
import dev.galeraagent.discovery.DiscoveryResult.SrvLookup;
import dev.galeraagent.discovery.DiscoveryResult.SrvTarget;
import dev.galeraagent.discovery.DiscoveryResult.Unresolved;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ResolverConfig;

class DnsDiscoveryTest {

    @Test
    void parsesDnsServerWithAndWithoutPort() throws Exception {
        assertThat(DnsServerOption.parse("127.0.20.2")).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.20.2"), 53));
        assertThat(DnsServerOption.parse("127.0.20.2:5353")).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.20.2"), 5353));
        assertThat(DnsServerOption.parse("[::1]:5353")).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 5353));
        assertThat(DnsServerOption.parse("[::1]")).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 53));
        assertThat(DnsServerOption.parse("fd00::53")).isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::53"), 53));
        assertThat(DnsServerOption.parse("localhost:5353").getPort()).isEqualTo(5353);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.20.2:", "127.0.20.2:0", "127.0.20.2:65536", "127.0.20.2:+53", "127.0.20.2:5x", ":53", "[::1",
            "[::1]53", "10.0.0.300", "bad host:53", "ho#st", "127.0.20.2:53\n"})
    void refusesAMalformedDnsServer(String value) {
        assertThatThrownBy(() -> DnsServerOption.parse(value))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageStartingWith("--dns-server '")
                .hasMessageNotContaining("\n");
    }

    @Test
    void withoutADnsServerItAsksTheSystemResolversServers() {
        DnsDiscovery system = DnsDiscovery.create(null, DnsDiscovery.Settings.defaults());
        List<InetSocketAddress> expected = ResolverConfig.getCurrentConfig().servers();
        if (expected.isEmpty()) {
            assertThat(system.servers()).extracting(InetSocketAddress::getPort).containsExactly(53);
        } else {
            assertThat(system.servers()).isEqualTo(expected);
        }
        assertThat(DnsDiscovery.create("", DnsDiscovery.Settings.defaults()).servers()).isEqualTo(system.servers());
    }

    @Test
    void settingsMustBePositive() {
        assertThatThrownBy(() -> new DnsDiscovery.Settings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(DnsDiscovery.Settings.defaults().withDeadline(Duration.ofSeconds(3)).deadline()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void summaryNamesEachPeerAndEachSrvNameOnOneLine() throws Exception {
        DiscoveryResult result = new DiscoveryResult(List.of(
                new PeerDns(0, "db-0.galera.ns.svc.cluster.local", new Resolved(List.of(InetAddress.getByName("10.0.0.1")))),
                new PeerDns(1, "db-1.galera.ns.svc.cluster.local", new Unresolved(DnsFailure.TIMEOUT, "no answer", 5)),
                new PeerDns(2, "db-2.galera.ns.svc.cluster.local", new Unresolved(DnsFailure.NXDOMAIN, "NXDOMAIN", 2))),
                List.of(new SrvLookup("_galera._tcp.galera.ns.svc.cluster.local",
                                List.of(new SrvTarget("db-0.galera.ns.svc.cluster.local", 4567, 0, 100)), null, null),
                        new SrvLookup("_mysql._tcp.galera.ns.svc.cluster.local", List.of(), DnsFailure.NO_RECORDS, "none")),
                Duration.ofMillis(12));

        assertThat(result.summary()).isEqualTo("1/3 peers resolved in 12 ms: db-0 10.0.0.1, db-1 TIMEOUT, db-2 NXDOMAIN; "
                + "SRV _galera._tcp 1 target, _mysql._tcp none (NO_RECORDS)");
        assertThat(result.resolvedPeers()).extracting(PeerDns::ordinal).containsExactly(0);
        assertThat(result.peer(1).addresses()).isEmpty();
    }

    @Test
    void aResolvedNameHasAtLeastOneAddress() {
        assertThatThrownBy(() -> new Resolved(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
