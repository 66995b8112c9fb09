package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class GaleraConfigTest {
    private static GaleraConfig config(UnaryOperator<Object[]> change) {
        Object[] v = {"galera", "galera-0", "10.0.0.10", "0.0.0.0",
            List.of("galera-0.galera.default.svc.cluster.local", "galera-1.galera.default.svc.cluster.local", "galera-2.galera.default.svc.cluster.local"),
            "/usr/lib/galera/libgalera_smm.so", "mariabackup", "128M",
            Optional.of("/etc/mysql/user/extra.cnf"), Optional.of("/run/secrets/galera/sst.cnf"), Optional.<String>empty(), "/etc/mysql/conf.d/galera-once.d"};
        v = change.apply(v);
        @SuppressWarnings("unchecked")
        GaleraConfig c = new GaleraConfig((String) v[0], (String) v[1], (String) v[2], (String) v[3], (List<String>) v[4], 4567, 4568, 4444,
                (String) v[5], (String) v[6], (String) v[7], 1, (Optional<String>) v[8], (Optional<String>) v[9], (Optional<String>) v[10], (String) v[11]);
        return c;
    }

    private static GaleraConfig config() {
        return config(v -> v);
    }

    @Test
    void listsEveryPeerAndNeverABootstrapSetting() {
        String cnf = config().render();
        assertThat(cnf).contains("wsrep_cluster_address = gcomm://galera-0.galera.default.svc.cluster.local:4567,"
                + "galera-1.galera.default.svc.cluster.local:4567,galera-2.galera.default.svc.cluster.local:4567\n");
        assertThat(cnf).contains("pc.recovery=TRUE").doesNotContain("pc.wait_prim");
        assertThat(cnf).doesNotContain("wsrep_new_cluster").doesNotContain("pc.bootstrap").doesNotContain("gcomm://\n")
                .doesNotContain("wsrep_start_position");
    }

    @Test
    void rendersTheSettingsDesignAsks() {
        String cnf = config().render();
        assertThat(cnf).contains("[mysqld]\nserver_id = 1\nbind_address = 0.0.0.0\nbinlog_format = ROW\n"
                + "default_storage_engine = InnoDB\ninnodb_autoinc_lock_mode = 2\n");
        assertThat(cnf).contains("[galera]\nwsrep_on = ON\nwsrep_provider = /usr/lib/galera/libgalera_smm.so\nwsrep_cluster_name = galera\n");
        assertThat(cnf).contains("wsrep_node_name = galera-0\nwsrep_node_address = 10.0.0.10\nwsrep_sst_method = mariabackup\n"
                + "wsrep_sst_receive_address = 10.0.0.10:4444\n");
        assertThat(cnf).contains("wsrep_provider_options = \"gmcast.listen_addr=tcp://0.0.0.0:4567;ist.recv_addr=10.0.0.10:4568;gcache.size=128M;pc.recovery=TRUE\"\n");
        assertThat(cnf).doesNotContain("ssl");
    }

    @Test
    void includesTheUsersAndTheSecretFileAndTheOneShotDirectoryLast() {
        String cnf = config().render();
        assertThat(cnf).endsWith("\n!include /etc/mysql/user/extra.cnf\n!include /run/secrets/galera/sst.cnf\n!includedir /etc/mysql/conf.d/galera-once.d\n");
        assertThat(cnf).doesNotContain("wsrep_sst_auth");
    }

    @Test
    void addsTlsLinesWhenACertificateDirectoryIsGiven() {
        String cnf = config(v -> { v[10] = Optional.of("/etc/galera/tls"); return v; }).render();
        assertThat(cnf).contains("ssl_cert = /etc/galera/tls/tls.crt\nssl_key = /etc/galera/tls/tls.key\nssl_ca = /etc/galera/tls/ca.crt\n");
        assertThat(cnf).contains(";socket.ssl_cert=/etc/galera/tls/tls.crt;socket.ssl_key=/etc/galera/tls/tls.key;socket.ssl_ca=/etc/galera/tls/ca.crt\"");
    }

    @Test
    void refusesAnEmptyPeerList() {
        assertThatThrownBy(() -> config(v -> { v[4] = List.of(); return v; }))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("wsrep_cluster_address: no peers");
    }

    /** Every way a value could carry config into the file, in every field that reaches it. */
    @Test
    void refusesEveryInjectionAttemptNamingTheField() {
        String[] attacks = {"a\nwsrep_new_cluster", "a\rb", "a#b", "a\"b", "a'b", "a=b", "a[mysqld]", "a]b", "a\\nb", "a b", "a\tb",
            "a\u0000b", "a\u001bb", "a;pc.bootstrap=YES", "a,b", "!include /etc/shadow", "a`b", "a\u2028b", ""};
        record Target(String field, int index, boolean list) {
        }
        List<Target> targets = List.of(new Target("wsrep_cluster_name", 0, false), new Target("wsrep_node_name", 1, false),
                new Target("wsrep_node_address", 2, false), new Target("bind_address", 3, false),
                new Target("wsrep_cluster_address peer 1", 4, true), new Target("wsrep_provider", 5, false),
                new Target("gcache.size", 7, false), new Target("extra config", 8, false), new Target("secret config", 9, false),
                new Target("tls directory", 10, false), new Target("one-shot directory", 11, false));
        for (Target t : targets) {
            for (String attack : attacks) {
                String value = (t.index() == 5 || t.index() >= 8) && !attack.isEmpty() ? "/x/" + attack : attack;
                assertThatThrownBy(() -> config(v -> {
                    if (t.list()) {
                        v[4] = List.of("galera-0", value);
                    } else if (t.index() >= 8 && t.index() <= 10) {
                        v[t.index()] = Optional.of(value);
                    } else {
                        v[t.index()] = value;
                    }
                    return v;
                })).as(t.field() + " <- " + attack.replace("\n", "\\n"))
                        .isInstanceOf(InvalidFieldException.class)
                        .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo(t.field()))
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            }
        }
    }

    @Test
    void namesTheCharacterThatWasRefused() {
        assertThatThrownBy(() -> config(v -> { v[1] = "galera-0\nwsrep_new_cluster"; return v; }))
                .hasMessageStartingWith("wsrep_node_name: contains a newline (in 'galera-0\\nwsrep_new_cluster'); refusing to write it");
        assertThatThrownBy(() -> config(v -> { v[0] = "a#b"; return v; })).hasMessageContaining("contains '#' (starts a comment)");
        assertThatThrownBy(() -> config(v -> { v[0] = "a=b"; return v; })).hasMessageContaining("contains '='");
        assertThatThrownBy(() -> config(v -> { v[0] = "a[b"; return v; })).hasMessageContaining("contains '[' (starts a config group)");
        assertThatThrownBy(() -> config(v -> { v[0] = "a\"b"; return v; })).hasMessageContaining("contains a quote");
        assertThatThrownBy(() -> config(v -> { v[0] = "a\\b"; return v; })).hasMessageContaining("contains a backslash");
        assertThatThrownBy(() -> config(v -> { v[6] = "xtrabackup"; return v; })).hasMessageStartingWith("wsrep_sst_method: must be one of");
        assertThatThrownBy(() -> config(v -> { v[5] = "relative/lib.so"; return v; })).hasMessageStartingWith("wsrep_provider: ");
        assertThatThrownBy(() -> config(v -> { v[5] = "/usr/../etc/x"; return v; })).hasMessageStartingWith("wsrep_provider: must not contain '..'");
    }

    @Test
    void oneShotCarriesTheBootstrapAndThePosition() {
        var pos = new Position(UUID.fromString("86af4600-e983-11f1-a2ff-bfa38c7146ac"), 3_000_000_000L);
        String once = new GaleraConfig.OneShot(true, Optional.of(pos)).render();
        assertThat(once).contains("[galera]\nwsrep_new_cluster\nwsrep_start_position = 86af4600-e983-11f1-a2ff-bfa38c7146ac:3000000000\n");
        assertThat(new GaleraConfig.OneShot(false, Optional.of(pos)).render()).doesNotContain("wsrep_new_cluster");
        assertThat(new GaleraConfig.OneShot(false, Optional.empty()).isEmpty()).isTrue();
    }

    @Test
    void theRecoverDefaultsCarryTheGaleraSettingsButNeverTheOneShotsNorANetworkPort() {
        String cnf = config().recoverDefaults("/var/lib/mysql", true);
        assertThat(cnf).startsWith("[mysqld]\nuser = mysql\ndatadir = /var/lib/mysql\n");
        assertThat(cnf).contains("wsrep_cluster_address = gcomm://").contains("!include /etc/mysql/user/extra.cnf");
        assertThat(cnf).doesNotContain("!includedir").endsWith("[mysqld]\nskip_networking\n");
        assertThat(config().recoverDefaults("/var/lib/mysql", false)).doesNotContain("user =");
        assertThatThrownBy(() -> config().recoverDefaults("/var/lib/mysql\nwsrep_new_cluster", false)).hasMessageStartingWith("datadir: contains a newline");
    }

    @Test
    void anIpv6PodAddressIsBracketedWhereverGaleraReadsAPortAfterIt() {
        String cnf = config(v -> {
            v[2] = "fd00::a";
            v[3] = "::";
            v[4] = List.of("fd00::a", "fd00::b", "galera-2.galera.default.svc.cluster.local");
            return v;
        }).render();
        assertThat(cnf).contains("bind_address = ::\n")
                .contains("wsrep_node_address = [fd00::a]\n")
                .contains("wsrep_sst_receive_address = [fd00::a]:4444\n")
                .contains("wsrep_cluster_address = gcomm://[fd00::a]:4567,[fd00::b]:4567,galera-2.galera.default.svc.cluster.local:4567\n")
                .contains("gmcast.listen_addr=tcp://[::]:4567;ist.recv_addr=[fd00::a]:4568;");
    }

    @Test
    void anIpv6AddressIsCheckedAsOneAndStillRefusesInjection() {
        assertThatThrownBy(() -> config(v -> {
            v[2] = "fd00::zz";
            return v;
        })).isInstanceOf(InvalidFieldException.class).hasMessageContaining("not valid here");
        assertThatThrownBy(() -> config(v -> {
            v[2] = "1:2:3:4:5:6:7:8:9";
            return v;
        })).isInstanceOf(InvalidFieldException.class).hasMessageContaining("is not an IPv6 address");
        assertThatThrownBy(() -> config(v -> {
            v[2] = "::1\nwsrep_on=OFF";
            return v;
        })).isInstanceOf(InvalidFieldException.class).hasMessageContaining("it could inject settings");
    }

    @Test
    void aOneShotFileReadsBackAsWrittenAndAnythingElseInItIsRejected() {
        Position p = new Position(UUID.fromString("6f1c1e3a-9b7d-11f0-8a0b-4b5f2e7c9d01"), 42);
        for (GaleraConfig.OneShot once : List.of(new GaleraConfig.OneShot(true, Optional.of(p)),
                new GaleraConfig.OneShot(true, Optional.empty()), new GaleraConfig.OneShot(false, Optional.of(p)))) {
            assertThat(GaleraConfig.OneShot.parse(once.render())).isEqualTo(once);
        }
        assertThat(GaleraConfig.OneShot.parse("[galera]\nwsrep-new-cluster\r\n")).isEqualTo(new GaleraConfig.OneShot(true, Optional.empty()));
        assertThatThrownBy(() -> GaleraConfig.OneShot.parse("[galera]\nwsrep_cluster_address = gcomm://\n"))
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("wsrep_cluster_address");
        assertThatThrownBy(() -> GaleraConfig.OneShot.parse("wsrep_start_position = nonsense\n"))
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("wsrep_start_position");
    }
}
