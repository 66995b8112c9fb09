package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.errors.AgentException;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeClientsTest {
    @TempDir
    Path dir;

    @Test
    void aKubeconfigGetsShortTimeoutsAndOneRetry() {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            Config config = KubeClients.config(Optional.of(mock.writeKubeconfig(dir, "db")), Duration.ofSeconds(5));
            assertThat(config.getMasterUrl()).isEqualTo(mock.url() + "/");
            assertThat(config.getNamespace()).isEqualTo("db");
            assertThat(config.getRequestTimeout()).isEqualTo(5000);
            assertThat(config.getConnectionTimeout()).isEqualTo(3000);
            assertThat(config.getRequestRetryBackoffLimit()).isEqualTo(1);
            assertThat(config.getWatchReconnectLimit()).isZero();
        }
    }

    @Test
    void withoutKubeconfigItAutoConfiguresAsInAPod() {
        // outside a pod the service account is absent; fabric8 then takes the master from the environment
        Map<String, String> props = Map.of(
                "kubernetes.master", "http://127.0.40.1:0",
                "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            MockKube.createStatefulSet(mock.admin(), "db", "galera", 2, List.of(0, 1));
            props.forEach((k, v) -> System.setProperty(k, k.equals("kubernetes.master") ? mock.url() : v));
            long start = System.nanoTime();
            try (KubeApi api = new KubeApi(KubeClients.connect(Optional.empty(), Duration.ofSeconds(2)), "db")) {
                System.out.println("auto-configured client in " + (System.nanoTime() - start) / 1_000_000 + " ms");
                assertThat(api.statefulSet("galera-1", Optional.empty()).replicas()).isEqualTo(2);
            }
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void anUnreadableKubeconfigSaysWhich() throws Exception {
        Path garbage = Files.writeString(dir.resolve("kubeconfig"), "clusters: [this is: not: yaml");
        assertThatThrownBy(() -> KubeClients.config(Optional.of(garbage), Duration.ofSeconds(1)))
                .isInstanceOf(AgentException.class)
                .hasMessageStartingWith("cannot use kubeconfig " + garbage + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anUnusableKubeconfigNeverShowsItsContent() throws Exception {
        String token = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";
        for (String text : new String[] {token, "users:\n- name: u\n  user: {token: " + token + "\n", "users: " + token}) {
            Path config = Files.writeString(dir.resolve("kubeconfig"), text);
            assertThatThrownBy(() -> KubeClients.config(Optional.of(config), Duration.ofSeconds(1)))
                    .as(text)
                    .isInstanceOf(AgentException.class)
                    .hasMessageStartingWith("cannot use kubeconfig " + config + ": not a valid kubeconfig")
                    .hasNoCause()
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token"));
        }
    }
}
