package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.position.Position;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forbidden and unreachable APIs fail fast with a line that says what is wrong, and can be told apart. */
class KubeApiFailureTest {
    static final StatefulSetInfo STS = new StatefulSetInfo("db", "galera", 3, Map.of("app", "galera"));

    @TempDir
    Path dir;

    private static Path kubeconfigFor(Path dir, String server) throws IOException {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "%s"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {token: t}}]
                """.formatted(server));
        return file;
    }

    @Test
    void aForbiddenCallNamesTheMissingPermission() throws Exception {
        // expectations mode: the CRUD mock has no RBAC, so the 403s are scripted
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), false);
        server.init(InetAddress.getByName("127.0.40.1"), 0);
        try {
            String denied = io.fabric8.kubernetes.client.utils.Serialization.asJson(new StatusBuilder().withStatus("Failure").withCode(403)
                    .withReason("Forbidden").withMessage("pods is forbidden: User \"system:serviceaccount:db:galera\" cannot patch resource configmaps").build());
            server.expect().get().withPath("/api/v1/namespaces/db/configmaps/galera-galera-state").andReturn(200,
                    new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("galera-galera-state").withNamespace("db")
                            .withResourceVersion("7").endMetadata().build()).always();
            server.expect().patch().withPath("/api/v1/namespaces/db/configmaps/galera-galera-state").andReturn(403, denied).always();
            server.expect().get().withPath("/api/v1/namespaces/db/pods?labelSelector=app%3Dgalera").andReturn(403, denied).always();
            server.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/db/leases/galera-galera-bootstrap").andReturn(403, denied).always();

            Path kubeconfig = kubeconfigFor(dir, "http://127.0.40.1:" + server.getPort());
            try (KubeApi api = KubeApi.connect(Optional.of(kubeconfig), "db")) {
                assertThatThrownBy(() -> api.publish(STS, "galera-0", KubeApiTest.state(0, null, -1, false, "t")))
                        .isInstanceOfSatisfying(KubeApiException.class, e -> {
                            assertThat(e.kind()).isEqualTo(KubeApiException.Kind.FORBIDDEN);
                            assertThat(e.noApiAccess()).isTrue();
                            assertThat(e.exitCode()).isEqualTo(ExitCode.ENVIRONMENT);
                        })
                        .hasMessage("the service account may not patch configmaps in namespace db: grant it in the Role (see k8s/galera-statefulset.yaml)");
                assertThatThrownBy(() -> api.readStates(STS))
                        .hasMessage("the service account may not list pods in namespace db: grant it in the Role (see k8s/galera-statefulset.yaml)");
                assertThatThrownBy(() -> api.lease(STS).tryAcquire("galera-0", Optional.empty(), Duration.ofSeconds(10)))
                        .hasMessage("the service account may not get leases in namespace db: grant it in the Role (see k8s/galera-statefulset.yaml)");
            }
        } finally {
            server.destroy();
        }
    }

    @Test
    void aClosedPortFailsWithinSecondsAsUnreachable() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.40.2"))) {
            port = probe.getLocalPort();
        }
        Path kubeconfig = kubeconfigFor(dir, "http://127.0.40.2:" + port);
        try (KubeApi api = KubeApi.connect(Optional.of(kubeconfig), "db")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> api.statefulSet("galera-0", Optional.empty()))
                    .isInstanceOfSatisfying(KubeApiException.class, e -> {
                        assertThat(e.kind()).as(e.getMessage()).isEqualTo(KubeApiException.Kind.UNREACHABLE);
                        assertThat(e.noApiAccess()).isTrue();
                        assertThat(e.getMessage()).startsWith("the Kubernetes API at http://127.0.40.2:" + port + "/ is unreachable (")
                                .contains("ConnectException")
                                .endsWith(") when trying to get pods/galera-0 in namespace db")
                                .doesNotContain("\n");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aServerThatNeverAnswersFailsAfterTheRequestTimeout() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getByName("127.0.40.3"), 0));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = silent.accept();
                        synchronized (accepted) {
                            accepted.add(s); // keep it open, say nothing
                        }
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Path kubeconfig = kubeconfigFor(dir, "http://127.0.40.3:" + silent.getLocalPort());
            try (KubeApi api = new KubeApi(KubeClients.connect(Optional.of(kubeconfig), Duration.ofSeconds(1)), "db")) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> api.readStates(STS))
                        .isInstanceOfSatisfying(KubeApiException.class, e -> assertThat(e.kind()).isEqualTo(KubeApiException.Kind.UNREACHABLE))
                        .hasMessageContaining("is unreachable (")
                        .hasMessageContaining("when trying to list pods in namespace db");
                // one request timeout, one retry after 200 ms, one more timeout
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aMissingKubeconfigIsAnEnvironmentError() {
        assertThatThrownBy(() -> KubeApi.connect(Optional.of(dir.resolve("nope")), "db"))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.ENVIRONMENT))
                .hasMessage("cannot read kubeconfig " + dir.resolve("nope") + ": no such readable file");
    }
}
