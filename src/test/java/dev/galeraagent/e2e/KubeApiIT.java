package dev.galeraagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The API stand-in as the pods see it: reachable from a pod, holding the StatefulSet and fresh Pod objects. */
class KubeApiIT {
    private static final Duration T = Duration.ofSeconds(20);

    @Test
    void podsReachTheApiAndARestartedPodGetsANewPodObject() throws Exception {
        E2e.assumeAvailable();
        try (Cluster c = Cluster.create("kube", 2, new SleepSteps(true))) {
            c.startAll();
            Pod p0 = c.pod(0);
            String base = KubeApi.URL + "/api/v1/namespaces/default/pods/galera-0";
            assertThat(p0.exec(T, "curl", "-sf", KubeApi.URL + "/apis/apps/v1/namespaces/default/statefulsets/galera").output())
                    .contains("\"replicas\":2").contains("\"podManagementPolicy\":\"Parallel\"");
            assertThat(p0.exec(T, "curl", "-sf", base).output()).contains("\"podIP\":\"10.231.0.11\"")
                    .contains("\"kind\":\"StatefulSet\"").contains("\"controller\":true");
            // the pods are found by the StatefulSet's selector, as the agent lists them
            assertThat(p0.exec(T, "curl", "-sf", KubeApi.URL
                    + "/api/v1/namespaces/default/pods?labelSelector=app.kubernetes.io%2Fname%3Dgalera").output())
                    .contains("galera-0").contains("galera-1");

            // an agent publishing its state with a JSON merge patch; the harness reads it back
            Exec.Result patch = p0.exec(T, "curl", "-sf", "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json",
                    "-d", "{\"metadata\":{\"annotations\":{\"galera-agent.io/state\":\"{\\\"seqno\\\":7}\"}}}", base);
            assertThat(patch.ok()).as(patch.output()).isTrue();
            assertThat(c.kubeApi().annotations(0)).containsEntry("galera-agent.io/state", "{\"seqno\":7}");

            c.podRestart(0);
            assertThat(c.kubeApi().annotations(0)).isEmpty();

            c.scaleTo(1);
            assertThat(c.kubeApi().statefulSet().path("spec").path("replicas").asInt()).isEqualTo(1);

            c.stopKubeApi();
            assertThat(p0.exec(T, "curl", "-sf", "--max-time", "2", base).ok()).isFalse();
            c.restartKubeApi();
            assertThat(p0.exec(T, "curl", "-sf", base).output()).contains("galera-0");
        }
    }
}
