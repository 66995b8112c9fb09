package dev.galeraagent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.galeraagent.discovery.DiscoveryResult.PeerDns;
import dev.galeraagent.discovery.DiscoveryResult.SrvLookup;
import dev.galeraagent.discovery.DiscoveryResult.SrvTarget;
import dev.galeraagent.discovery.DiscoveryResult.Unresolved;
import dev.galeraagent.status.NodeStatus;
import dev.galeraagent.status.StatusJson;
import dev.galeraagent.testing.LocalDnsmasq;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** dnsjava against a real dnsmasq playing the cluster DNS, and against servers that fail on purpose. */
class DnsDiscoveryIT {
    private static final String DNS_ADDRESS = "127.0.20.2";
    private static final String SCRIPTED_ADDRESS = "127.0.20.3";
    private static final String DEAD_ADDRESS = "127.0.20.4";
    private static final String SVC = "galera.prod.svc.cluster.local";

    @TempDir
    static Path dir;
    private static LocalDnsmasq dns;

    private static final DnsDiscovery.Settings FAST = new DnsDiscovery.Settings(
            Duration.ofSeconds(3), Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMillis(400));

    @BeforeAll
    static void startDnsmasq() throws Exception {
        assumeTrue(LocalDnsmasq.installed(), "dnsmasq is not installed");
        dns = LocalDnsmasq.start(dir.resolve("dns"), DNS_ADDRESS, "cluster.local",
                List.of("127.0.20.11 galera-0." + SVC,
                        "127.0.20.12 galera-1." + SVC,
                        "::1 galera-1." + SVC,
                        "127.0.20.13 galera-2." + SVC),
                List.of("_galera._tcp." + SVC + ",galera-0." + SVC + ",4567,0,33",
                        "_galera._tcp." + SVC + ",galera-1." + SVC + ",4567,0,33",
                        "_galera._tcp." + SVC + ",galera-2." + SVC + ",4567,0,33",
                        "_mysql._tcp." + SVC + ",galera-0." + SVC + ",3306,0,33"),
                "galera-0." + SVC);
    }

    @AfterAll
    static void stopDnsmasq() {
        if (dns != null) {
            dns.close();
        }
    }

    private static PodIdentity identity(String podName, String service) {
        return PodIdentity.fromEnv(Map.of("POD_NAME", podName, "POD_NAMESPACE", "prod"), "h",
                "search prod.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n", service, null);
    }

    @Test
    void everyPeerResolvesToItsAddresses() throws Exception {
        DiscoveryResult result = DnsDiscovery.create(dns.server(), FAST).discover(identity("galera-1", null), 3);

        assertThat(result.peers()).extracting(PeerDns::fqdn).containsExactly("galera-0." + SVC, "galera-1." + SVC, "galera-2." + SVC);
        assertThat(result.peers()).allMatch(PeerDns::resolved);
        assertThat(result.peer(0).addresses()).containsExactly(InetAddress.getByName("127.0.20.11"));
        // IPv4 first, then IPv6
        assertThat(result.peer(1).addresses()).containsExactly(InetAddress.getByName("127.0.20.12"), InetAddress.getByName("::1"));
        assertThat(result.peer(2).addresses()).containsExactly(InetAddress.getByName("127.0.20.13"));
        assertThat(result.summary()).startsWith("3/3 peers resolved in ")
                .contains("galera-0 127.0.20.11, galera-1 127.0.20.12,0:0:0:0:0:0:0:1, galera-2 127.0.20.13");
    }

    @Test
    void aPeerThatDoesNotExistIsNxdomainAndIsNotRetried() {
        DiscoveryResult result = DnsDiscovery.create(dns.server(), FAST).discover(identity("galera-0", null), 4);

        assertThat(result.resolvedPeers()).hasSize(3);
        PeerDns missing = result.peer(3);
        assertThat(missing.resolved()).isFalse();
        assertThat(missing.resolution()).isInstanceOfSatisfying(Unresolved.class, u -> {
            assertThat(u.failure()).isEqualTo(DnsFailure.NXDOMAIN);
            assertThat(u.detail()).isEqualTo("NXDOMAIN from " + dns.server());
            assertThat(u.attempts()).as("one A and one AAAA query, no retries").isEqualTo(2);
        });
        assertThat(result.took()).isLessThan(FAST.deadline());
        assertThat(result.summary()).startsWith("3/4 peers resolved").contains("galera-3 NXDOMAIN");
    }

    @Test
    void readsTheHeadlessServicesSrvRecords() {
        DiscoveryResult result = DnsDiscovery.create(dns.server(), FAST).discover(identity("galera-0", null), 3);

        SrvLookup galera = result.srv().get(0);
        assertThat(galera.name()).isEqualTo("_galera._tcp." + SVC);
        assertThat(galera.failure()).isNull();
        assertThat(galera.targets()).containsExactly(
                new SrvTarget("galera-0." + SVC, 4567, 0, 33),
                new SrvTarget("galera-1." + SVC, 4567, 0, 33),
                new SrvTarget("galera-2." + SVC, 4567, 0, 33));
        SrvLookup mysql = result.srv().get(1);
        assertThat(mysql.name()).isEqualTo("_mysql._tcp." + SVC);
        assertThat(mysql.targets()).containsExactly(new SrvTarget("galera-0." + SVC, 3306, 0, 33));
        assertThat(result.summary()).endsWith("SRV _galera._tcp 3 targets, _mysql._tcp 1 target");
    }

    @Test
    void aServiceWithoutSrvRecordsIsToleratedAndSaysSo() {
        DiscoveryResult result = DnsDiscovery.create(dns.server(), FAST).discover(identity("galera-0", "other"), 1);

        assertThat(result.peer(0).resolution()).isInstanceOfSatisfying(Unresolved.class,
                u -> assertThat(u.failure()).isEqualTo(DnsFailure.NXDOMAIN));
        assertThat(result.srv()).allSatisfy(s -> {
            assertThat(s.targets()).isEmpty();
            assertThat(s.failure()).isEqualTo(DnsFailure.NXDOMAIN);
        });
        assertThat(result.summary()).endsWith("SRV _galera._tcp none (NXDOMAIN), _mysql._tcp none (NXDOMAIN)");
    }

    @Test
    void namesAreAskedExactlyAsWrittenWithoutASearchList() throws Exception {
        DnsDiscovery.create(dns.server(), FAST).discover(identity("galera-0", "searchcheck"), 2);

        Matcher m = Pattern.compile("query\\[(A|AAAA|SRV)\\] (\\S+) from").matcher(dns.log());
        List<String> asked = new ArrayList<>();
        while (m.find()) {
            if (m.group(2).contains("searchcheck")) {
                asked.add(m.group(1) + " " + m.group(2));
            }
        }
        assertThat(asked).containsExactlyInAnyOrder(
                "A galera-0.searchcheck.prod.svc.cluster.local", "AAAA galera-0.searchcheck.prod.svc.cluster.local",
                "A galera-1.searchcheck.prod.svc.cluster.local", "AAAA galera-1.searchcheck.prod.svc.cluster.local",
                "SRV _galera._tcp.searchcheck.prod.svc.cluster.local", "SRV _mysql._tcp.searchcheck.prod.svc.cluster.local");
    }

    @Test
    void aServerThatNeverAnswersGivesTimeoutWithinTheDeadline() throws Exception {
        try (ScriptedDnsServer silent = new ScriptedDnsServer(SCRIPTED_ADDRESS, (query, n) -> null)) {
            DnsDiscovery.Settings settings = FAST.withDeadline(Duration.ofMillis(1500));
            long start = System.nanoTime();
            DiscoveryResult result = DnsDiscovery.create(silent.server(), settings).discover(identity("galera-0", null), 3);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("the whole discovery, 8 names at once").isBetween(Duration.ofMillis(1400), Duration.ofMillis(2600));
            assertThat(result.peers()).allSatisfy(p -> assertThat(p.resolution()).isInstanceOfSatisfying(Unresolved.class, u -> {
                assertThat(u.failure()).isEqualTo(DnsFailure.TIMEOUT);
                assertThat(u.detail()).startsWith("no answer from " + silent.server() + " within ");
                assertThat(u.attempts()).as("retried with backoff").isGreaterThan(4);
            }));
            assertThat(result.srv()).allSatisfy(s -> assertThat(s.failure()).isEqualTo(DnsFailure.TIMEOUT));
            assertThat(result.summary()).startsWith("0/3 peers resolved").contains("galera-0 TIMEOUT");
        }
    }

    @Test
    void aPortWhereNothingListensIsReportedWithinTheDeadline() throws Exception {
        int port = LocalDnsmasq.freePort(DEAD_ADDRESS);
        long start = System.nanoTime();
        DiscoveryResult result = DnsDiscovery.create(DEAD_ADDRESS + ":" + port, FAST.withDeadline(Duration.ofSeconds(1)))
                .discover(identity("galera-0", null), 2);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofMillis(1800));
        // on loopback the kernel answers "port unreachable" at once, so each attempt fails fast and is retried
        assertThat(result.peers()).allSatisfy(p -> assertThat(p.resolution()).isInstanceOfSatisfying(Unresolved.class, u -> {
            assertThat(u.failure()).isEqualTo(DnsFailure.UNREACHABLE);
            assertThat(u.detail()).startsWith("port unreachable from " + DEAD_ADDRESS + ":" + port);
            assertThat(u.attempts()).isGreaterThan(4);
        }));
        assertThat(result.summary()).startsWith("0/2 peers resolved").contains("galera-0 UNREACHABLE");
    }

    @Test
    void servfailOnEveryAttemptIsReportedAsServfail() throws Exception {
        try (ScriptedDnsServer failing = new ScriptedDnsServer(SCRIPTED_ADDRESS, (q, n) -> ScriptedDnsServer.reply(q, Rcode.SERVFAIL))) {
            DiscoveryResult result = DnsDiscovery.create(failing.server(), FAST.withDeadline(Duration.ofMillis(800)))
                    .discover(identity("galera-0", null), 1);

            assertThat(result.peer(0).resolution()).isInstanceOfSatisfying(Unresolved.class, u -> {
                assertThat(u.failure()).isEqualTo(DnsFailure.SERVFAIL);
                assertThat(u.detail()).startsWith("SERVFAIL from " + failing.server());
                assertThat(u.attempts()).isGreaterThan(2);
            });
        }
    }

    @Test
    void anAnswerAfterSilentAttemptsIsFoundByRetrying() throws Exception {
        // silent for the first three queries, then it answers
        try (ScriptedDnsServer flaky = new ScriptedDnsServer(SCRIPTED_ADDRESS, (q, n) -> {
            if (n <= 3) {
                return null;
            }
            Message r = ScriptedDnsServer.reply(q, Rcode.NOERROR);
            if (q.getQuestion().getType() == Type.A) {
                r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 5,
                        new byte[] {127, 0, 20, 11}), Section.ANSWER);
            }
            return r;
        })) {
            DiscoveryResult result = DnsDiscovery.create(flaky.server(), FAST).discover(identity("galera-0", null), 1);

            assertThat(result.peer(0).addresses()).containsExactly(InetAddress.getByName("127.0.20.11"));
            assertThat(flaky.queries()).isGreaterThan(4);
        }
    }

    @Test
    void peersFoundInDnsAreAskedForTheirStatusAtTheirAddresses() throws Exception {
        // galera-0 and galera-2 resolve to addresses where an agent answers; galera-1's address has none
        HttpServer agent0 = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.20.11"), 0), 10);
        int port = agent0.getAddress().getPort();
        HttpServer agent2;
        try {
            agent2 = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.20.13"), port), 10);
        } catch (BindException taken) {
            agent0.stop(0);
            abort("port " + port + " is taken on 127.0.20.13");
            return;
        }
        // each agent answers as the pod it is (a peer's answer counts only then) with a well-formed cluster uuid
        for (int ordinal : List.of(0, 2)) {
            HttpServer server = ordinal == 0 ? agent0 : agent2;
            NodeStatus primary = new NodeStatus("0.1.0", "galera-" + ordinal, ordinal, "Primary", "Synced", "6f1b3c1e-1111-11ef-9a3c-0242ac120002",
                    7L, 2, true, true, true, true, "synced", null, null, null);
            server.createContext("/status", exchange -> {
                byte[] body = StatusJson.write(primary).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }
        try (PeerStatusClient client = new PeerStatusClient()) {
            DiscoveryResult dnsResult = DnsDiscovery.create(dns.server(), FAST).discover(identity("galera-1", null), 4);
            List<PeerStatus> statuses = client.fetchAll(dnsResult.peers(), port);

            assertThat(statuses).extracting(PeerStatus::live).containsExactly(true, false, true, false);
            assertThat(statuses.get(1).summary()).isEqualTo("galera-1 not live: connection refused");
            assertThat(statuses.get(3).summary()).isEqualTo("galera-3 not live: name not resolved: NXDOMAIN");
            assertThat(((PeerStatus.Live) statuses.get(2)).uri().getHost()).isEqualTo("127.0.20.13");
        } finally {
            agent0.stop(0);
            agent2.stop(0);
        }
    }
}
