package dev.galeraagent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PodIdentityTest {
    private static final String K8S_RESOLV = """
            search prod.svc.cluster.local svc.cluster.local cluster.local
            nameserver 10.96.0.10
            options ndots:5
            """;

    private static Map<String, String> env(String podName, String namespace, String ip) {
        Map<String, String> env = new HashMap<>();
        if (podName != null) {
            env.put("POD_NAME", podName);
        }
        if (namespace != null) {
            env.put("POD_NAMESPACE", namespace);
        }
        if (ip != null) {
            env.put("POD_IP", ip);
        }
        return env;
    }

    private static PodIdentity fromPodName(String podName) {
        return PodIdentity.fromEnv(env(podName, "prod", null), "ignored-host", K8S_RESOLV, null, null);
    }

    @Test
    void readsEveryPartFromTheDownwardApiAndResolvConf() {
        PodIdentity id = PodIdentity.fromEnv(env("galera-2", "prod", "10.1.2.3"), "somehost", K8S_RESOLV, null, null);

        assertThat(id.podName()).isEqualTo("galera-2");
        assertThat(id.ordinal()).isEqualTo(2);
        assertThat(id.statefulSet()).isEqualTo("galera");
        assertThat(id.namespace()).isEqualTo("prod");
        assertThat(id.podIp()).isEqualTo("10.1.2.3");
        assertThat(id.service()).isEqualTo("galera");
        assertThat(id.clusterDomain()).isEqualTo("cluster.local");
        assertThat(id.clusterDomainSource()).isEqualTo(PodIdentity.DomainSource.RESOLV_CONF);
        assertThat(id.fqdn()).isEqualTo("galera-2.galera.prod.svc.cluster.local");
        assertThat(id.serviceFqdn()).isEqualTo("galera.prod.svc.cluster.local");
        assertThat(id.describe()).contains("ordinal 2", "galera-2.galera.prod.svc.cluster.local", "from resolv.conf");
    }

    @Test
    void fallsBackToTheHostnameWhenPodNameIsAbsentOrEmpty() {
        assertThat(PodIdentity.fromEnv(env(null, null, null), "db-7", null, null, null).podName()).isEqualTo("db-7");
        assertThat(PodIdentity.fromEnv(env("", "", ""), "db-7", null, null, null).ordinal()).isEqualTo(7);
        // a hostname that is an FQDN contributes only its first label
        assertThat(PodIdentity.fromEnv(env(null, null, null), "db-3.galera.default.svc.cluster.local", null, null, null)
                .podName()).isEqualTo("db-3");
    }

    @Test
    void defaultsNamespaceServiceAndDomainWhenNothingIsGiven() {
        PodIdentity id = PodIdentity.fromEnv(env("galera-0", null, null), "h", null, null, null);
        assertThat(id.namespace()).isEqualTo("default");
        assertThat(id.service()).isEqualTo("galera");
        assertThat(id.clusterDomain()).isEqualTo("cluster.local");
        assertThat(id.clusterDomainSource()).isEqualTo(PodIdentity.DomainSource.DEFAULT);
        assertThat(id.podIp()).isNull();
        assertThat(id.describe()).contains("ip unknown", "(default)");
    }

    @Test
    void givenServiceAndClusterDomainWinOverResolvConf() {
        PodIdentity id = PodIdentity.fromEnv(env("mdb-1", "prod", null), "h", K8S_RESOLV, "mdb-headless", "Corp.Example.");
        assertThat(id.service()).isEqualTo("mdb-headless");
        assertThat(id.clusterDomain()).isEqualTo("corp.example");
        assertThat(id.clusterDomainSource()).isEqualTo(PodIdentity.DomainSource.GIVEN);
        assertThat(id.fqdn()).isEqualTo("mdb-1.mdb-headless.prod.svc.corp.example");
    }

    @Test
    void ordinalIsTheNumberAfterTheLastDash() {
        PodIdentity id = fromPodName("my-galera-db-12");
        assertThat(id.ordinal()).isEqualTo(12);
        assertThat(id.statefulSet()).isEqualTo("my-galera-db");
        assertThat(fromPodName("a-0").ordinal()).isZero();
        assertThat(fromPodName("a-999999999").ordinal()).isEqualTo(999_999_999);
    }

    @ParameterizedTest
    @ValueSource(strings = {"galera", "galera-", "-3", "galera-x", "galera-+1", "galera--1", "galera-1a", "galera-a1",
            "galera-01", "galera-1000000000", "galera-99999999999999999999", "galera-1 ", " galera-1", "galera-1\n",
            "galera-\u0661", "Galera-1", "gal#era-1", "gal\"era-1", "gal'era-1", "gal=era-1", "gal[era-1", "gal era-1",
            "gal.era-1", "galera-1\r"})
    void refusesAPodNameWithoutAValidOrdinalOrWithUnsafeCharacters(String podName) {
        assertThatThrownBy(() -> fromPodName(podName))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
                })
                .hasMessageContaining("pod name");
    }

    @Test
    void anOrdinalLessHostnameIsAClearError() {
        assertThatThrownBy(() -> PodIdentity.fromEnv(Map.of(), "workstation", null, null, null))
                .isInstanceOf(AgentException.class)
                .hasMessage("pod name 'workstation' has no ordinal: a StatefulSet pod is named <statefulset>-<ordinal>");
    }

    @Test
    void noPodNameAndNoHostnameIsAClearError() {
        assertThatThrownBy(() -> PodIdentity.fromEnv(Map.of(), "", null, null, null))
                .isInstanceOf(AgentException.class)
                .hasMessageContaining("POD_NAME is not set");
    }

    @Test
    void aTooLongPodNameIsRefused() {
        String sts = "a".repeat(62);
        assertThatThrownBy(() -> fromPodName(sts + "-1")).isInstanceOf(AgentException.class).hasMessageContaining("not a DNS label");
    }

    @Test
    void errorMessagesShowControlCharactersEscapedOnOneLine() {
        assertThatThrownBy(() -> PodIdentity.fromEnv(env("galera-1", "prod\nwsrep_on=OFF", null), "h", null, null, null))
                .isInstanceOf(AgentException.class)
                .hasMessage("namespace 'prod\\nwsrep_on=OFF' is not a DNS label (lowercase letters, digits and '-', "
                        + "at most 63, starting and ending with a letter or digit)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod\n", "pr#od", "pr\"od", "pr=od", "pr[od", "pr od", "Prod", "-prod", "prod-", "pr.od", "pr_od"})
    void refusesAnUnsafeNamespace(String namespace) {
        assertThatThrownBy(() -> PodIdentity.fromEnv(env("galera-1", namespace, null), "h", null, null, null))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageStartingWith("namespace ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gal\nera", "gal#era", "gal'era", "gal=era", "gal[era", "gal era", "gal.era", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void refusesAnUnsafeService(String service) {
        assertThatThrownBy(() -> PodIdentity.fromEnv(env("galera-1", "prod", null), "h", null, service, null))
                .isInstanceOf(AgentException.class)
                .hasMessageStartingWith("service ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster..local", "cluster.local\n[mysqld]", "clu#ster.local", "clu=ster.local", ".cluster.local",
            "cluster local", "cluster.\"local\"", "cluster.local..", "-a.local"})
    void refusesAnUnsafeClusterDomain(String domain) {
        assertThatThrownBy(() -> PodIdentity.fromEnv(env("galera-1", "prod", null), "h", null, null, domain))
                .isInstanceOf(AgentException.class)
                .hasMessageStartingWith("cluster domain ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0", "10.0.0.256", "10.0.0.1\n", "10.0.0.1 #", "host.example", "::g", "10.0.0.1/24", "[::1]", "010.0.0.1", "1.2.3.4.5"})
    void refusesAPodIpThatIsNotAnAddressLiteral(String ip) {
        assertThatThrownBy(() -> PodIdentity.fromEnv(env("galera-1", "prod", ip), "h", null, null, null))
                .isInstanceOf(AgentException.class)
                .hasMessageStartingWith("pod IP ");
    }

    @Test
    void acceptsIpv4AndIpv6PodIps() {
        assertThat(PodIdentity.fromEnv(env("galera-1", "prod", "fd00::1:2"), "h", null, null, null).podIp()).isEqualTo("fd00::1:2");
        assertThat(PodIdentity.fromEnv(env("galera-1", "prod", "192.168.0.1"), "h", null, null, null).podIp()).isEqualTo("192.168.0.1");
    }

    @Test
    void peerNamesCoverEveryOrdinalBelowReplicasIncludingThisPod() {
        PodIdentity id = fromPodName("galera-1");
        assertThat(id.peerFqdns(3)).containsExactly(
                "galera-0.galera.prod.svc.cluster.local",
                "galera-1.galera.prod.svc.cluster.local",
                "galera-2.galera.prod.svc.cluster.local");
        assertThat(id.peerFqdns(1)).containsExactly("galera-0.galera.prod.svc.cluster.local");
        assertThat(id.peerFqdns(3).get(id.ordinal())).isEqualTo(id.fqdn());
        assertThat(id.peerFqdn(7)).isEqualTo("galera-7.galera.prod.svc.cluster.local");
    }

    @Test
    void peerNamesNeedAtLeastOneReplica() {
        assertThatThrownBy(() -> fromPodName("galera-0").peerFqdns(0))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessage("replicas must be at least 1, got 0");
    }

    @Test
    void aPeerNameThatWouldNotFitInADnsLabelIsRefused() {
        PodIdentity id = fromPodName("a".repeat(61) + "-1");
        assertThat(id.peerFqdns(10)).hasSize(10);
        assertThatThrownBy(() -> id.peerFqdns(11)).isInstanceOf(AgentException.class).hasMessageContaining("peer pod name");
    }

    @Test
    void everyGeneratedValidIdentityRoundTripsThroughItsFqdn() {
        Random random = new Random(20261126L);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        for (int n = 0; n < 2000; n++) {
            StringBuilder sts = new StringBuilder().append((char) ('a' + random.nextInt(26)));
            int len = random.nextInt(20);
            for (int i = 0; i < len; i++) {
                sts.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            sts.append((char) ('a' + random.nextInt(26)));
            int ordinal = random.nextInt(1000);
            PodIdentity id = PodIdentity.fromEnv(env(sts + "-" + ordinal, "ns" + n, null), "h", null, null, null);
            assertThat(id.statefulSet()).isEqualTo(sts.toString());
            assertThat(id.ordinal()).isEqualTo(ordinal);
            assertThat(id.fqdn()).isEqualTo(sts + "-" + ordinal + ".galera.ns" + n + ".svc.cluster.local");
            List<String> peers = id.peerFqdns(ordinal + 1);
            assertThat(peers.getLast()).isEqualTo(id.fqdn());
            // every peer name is itself a valid pod name of the same StatefulSet
            String peer0 = peers.getFirst().substring(0, peers.getFirst().indexOf('.'));
            assertThat(PodIdentity.fromEnv(env(peer0, "ns" + n, null), "h", null, null, null).statefulSet()).isEqualTo(id.statefulSet());
        }
    }

    @Test
    void everyUnsafeCharacterInAPodNameIsRefused() {
        for (char c = 0; c < 128; c++) {
            boolean safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            String podName = "gal" + c + "era-1";
            if (safe) {
                assertThat(fromPodName(podName).ordinal()).isEqualTo(1);
            } else {
                char bad = c;
                assertThatThrownBy(() -> fromPodName(podName)).as("character %d", (int) bad).isInstanceOf(AgentException.class);
            }
        }
    }
}
