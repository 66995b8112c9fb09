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

            // an agent publishing its state as it does: a JSON merge patch of its key of the manifest's state ConfigMap
            String state = "{\"ordinal\":0,\"seqno\":7,\"time\":\"" + java.time.Instant.now() + "\"}";
            String body = tools.jackson.databind.json.JsonMapper.builder().build()
                    .writeValueAsString(java.util.Map.of("data", java.util.Map.of("galera-0", state)));
            Exec.Result patch = p0.exec(T, "curl", "-sf", "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json",
                    "-d", body, KubeApi.URL + "/api/v1/namespaces/default/configmaps/galera-galera-state");
            assertThat(patch.ok()).as(patch.output()).isTrue();
            assertThat(c.kubeApi().publishedState(0)).isEqualTo(state);
            assertThat(c.kubeApi().publishedState(1)).isNull();
            assertThat(p0.exec(T, "curl", "-sf", KubeApi.URL + "/apis/coordination.k8s.io/v1/namespaces/default/leases/galera-galera-bootstrap")
                    .ok()).as("the manifest's Lease exists before anyone takes it").isTrue();

            // a restarted pod is a new Pod object: what the earlier one wrote no longer counts (creationTimestamp has whole seconds)
            Thread.sleep(1_100);
            c.podRestart(0);
            assertThat(c.kubeApi().annotations(0)).isEmpty();
            assertThat(c.kubeApi().publishedState(0)).isNull();

            c.scaleTo(1);
            assertThat(c.kubeApi().statefulSet().path("spec").path("replicas").asInt()).isEqualTo(1);

            c.stopKubeApi();
            assertThat(p0.exec(T, "curl", "-sf", "--max-time", "2", base).ok()).isFalse();
            c.restartKubeApi();
            assertThat(p0.exec(T, "curl", "-sf", base).output()).contains("galera-0");
        }
    }
}
