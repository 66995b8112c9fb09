package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.bootstrap.LeaseGrant;
import dev.galeraagent.status.PublishedState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap loop's board when the manifest's objects are missing: it waits and says why, it does not give up the API. */
class KubeStateBoardTest {
    @TempDir
    Path dir;

    @Test
    void aMissingStateConfigMapLeavesTheBoardOnTheApiAndItWorksOnceTheConfigMapIsBack() {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            MockKube.createStatefulSet(mock.admin(), "db", "galera", 2, List.of(0, 1));
            mock.admin().configMaps().inNamespace("db").withName("galera-galera-state").delete();
            try (KubeApi api = mock.agent(mock.writeKubeconfig(dir, "db"), "db", Clock.systemUTC())) {
                StatefulSetInfo sts = api.statefulSet("galera-0", Optional.of("galera"));
                KubeStateBoard board0 = new KubeStateBoard(api, sts, 0, Duration.ofSeconds(30));
                KubeStateBoard board1 = new KubeStateBoard(api, sts, 1, Duration.ofSeconds(30));
                PublishedState mine = KubeApiTest.state(1, KubeApiTest.UUID_A, 5, false, Instant.now().plusSeconds(1).toString());
                board1.publish(mine);
                assertThat(board0.published()).isEmpty();

                MockKube.createStateConfigMap(mock.admin(), "db", "galera");
                board1.publish(mine);
                assertThat(board0.published()).as("still on the API").containsEntry(1, mine);
            }
        }
    }

    @Test
    void aMissingLeaseTheRoleMayNotCreateMeansNoBootstrapThisRoundNotLosingTheApi() {
        try (MockKube mock = MockKube.start("127.0.40.1", 0)) {
            MockKube.createStatefulSet(mock.admin(), "db", "galera", 2, List.of(0, 1));
            mock.authorize(r -> !r.getMethod().equals("POST"));
            try (KubeApi api = mock.agent(mock.writeKubeconfig(dir, "db"), "db", Clock.systemUTC())) {
                KubeStateBoard board = new KubeStateBoard(api, api.statefulSet("galera-0", Optional.of("galera")), 0, Duration.ofSeconds(30));
                LeaseGrant grant = board.acquireLease("galera-0", Optional.empty());
                assertThat(grant).isInstanceOfSatisfying(LeaseGrant.NotHeld.class, n -> assertThat(n.why())
                        .contains("Lease galera-galera-bootstrap not found in namespace db and the service account may not create it"));
                // the API is still used: the next publish lands
                board.publish(KubeApiTest.state(0, KubeApiTest.UUID_A, 5, false, Instant.now().plusSeconds(1).toString()));
                assertThat(mock.admin().configMaps().inNamespace("db").withName("galera-galera-state").get().getData()).containsKey("galera-0");
            }
        }
    }
}
