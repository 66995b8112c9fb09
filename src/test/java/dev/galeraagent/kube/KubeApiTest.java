package dev.galeraagent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.position.Position;
import dev.galeraagent.status.PublishedState;
import dev.galeraagent.status.StatusJson;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubeApiTest {
    static final String NS = "db";
    static final String STS = "galera";
    static final String UUID_A = "6f1b3c1e-1111-11ef-9a3c-0242ac120002";

    @RegisterExtension
    final MockKubeServer kube = new MockKubeServer("127.0.40.1", NS);

    static PublishedState state(int ordinal, String uuid, long seqno, boolean safe, String time) {
        return new PublishedState(ordinal, "waiting", uuid == null, uuid, seqno, seqno >= 0 && !safe, safe, null,
                List.of("read grastate.dat"), null, time, "0.1.0-test", null, null, false);
    }

    private KubeApi agent() {
        return kube.mock().agent(kube.kubeconfig(), NS, Clock.systemUTC());
    }

    /** Pod {@code pod}'s entry in the state ConfigMap, as {@code kubectl get configmap galera-galera-state} shows it. */
    private String entry(String pod) {
        Map<String, String> data = kube.mock().admin().configMaps().inNamespace(NS).withName("galera-galera-state").get().getData();
        return data == null ? null : data.get(pod);
    }

    private StatefulSetInfo sts(KubeApi api) {
        return api.statefulSet("galera-0", Optional.of(STS));
    }

    @Test
    void findsTheStatefulSetThroughThePodsOwnerReference() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 3, List.of(0, 1, 2));
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = api.statefulSet("galera-1", Optional.empty());
            assertThat(sts).isEqualTo(new StatefulSetInfo(NS, STS, 3, Map.of(MockKube.APP_LABEL, STS)));
            assertThat(sts.leaseName()).isEqualTo("galera-galera-bootstrap");
        }
    }

    @Test
    void usesTheStatefulSetNameWhenGivenWithoutReadingThePod() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 5, List.of());
        try (KubeApi api = agent()) {
            assertThat(api.statefulSet("no-such-pod", Optional.of(STS)).replicas()).isEqualTo(5);
        }
    }

    @Test
    void aPodWithoutStatefulSetOwnerAsksForTheFlag() {
        kube.mock().admin().pods().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("lonely-0").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec().build()).create();
        try (KubeApi api = agent()) {
            assertThatThrownBy(() -> api.statefulSet("lonely-0", Optional.empty()))
                    .isInstanceOfSatisfying(KubeApiException.class, e -> assertThat(e.kind()).isEqualTo(KubeApiException.Kind.NOT_FOUND))
                    .hasMessage("pod lonely-0 in namespace db has no StatefulSet owner: pass --statefulset");
            assertThatThrownBy(() -> api.statefulSet("gone-0", Optional.empty()))
                    .hasMessage("pod gone-0 not found in namespace db");
            assertThatThrownBy(() -> api.statefulSet("x", Optional.of("nope")))
                    .hasMessage("StatefulSet nope not found in namespace db");
        }
    }

    @Test
    void publishedStateReadsBackExactlyAndIsPlainJsonForKubectl() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 3, List.of(0, 1, 2));
        PublishedState mine = state(1, UUID_A, 1234, false, Instant.now().plusSeconds(1).toString());
        try (KubeApi api = agent()) {
            assertThat(api.publish(sts(api), "galera-1", mine)).isTrue();
            PodStates read = api.readStates(api.statefulSet("galera-0", Optional.empty()));
            assertThat(read.published()).containsExactly(Map.entry(1, mine));
            assertThat(read.unpublished()).containsExactly(0, 2);
            assertThat(read.missing()).isEmpty();
            assertThat(read.othersThan(0)).isEqualTo(Map.of(1, mine));
            assertThat(read.othersThan(1)).isEmpty();
        }
        assertThat(StatusJson.read(entry("galera-1"), PublishedState.class)).isEqualTo(mine);
        assertThat(entry("galera-1")).contains("\"seqno\":1234").contains("\"uuid\":\"" + UUID_A + "\"");
    }

    @Test
    void publishingWritesOnlyThisPodsKeyOfTheConfigMapAndNeverThePod() throws InterruptedException {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 2, List.of(0, 1));
        kube.mock().admin().configMaps().inNamespace(NS).withName("galera-galera-state").edit(c -> {
            c.setData(Map.of("galera-1", "written by galera-1"));
            return c;
        });
        String podVersion = kube.mock().admin().pods().inNamespace(NS).withName("galera-0").get().getMetadata().getResourceVersion();
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = sts(api);
            kube.mock().takeRequests();
            assertThat(api.publish(sts, "galera-0", state(0, UUID_A, 5, true, "t1"))).isTrue();
            assertThat(kube.mock().takeRequests()).extracting(r -> r.getMethod() + " " + r.getPath()).containsExactly(
                    "GET /api/v1/namespaces/db/configmaps/galera-galera-state",
                    "PATCH /api/v1/namespaces/db/configmaps/galera-galera-state");
        }
        assertThat(entry("galera-1")).isEqualTo("written by galera-1");
        assertThat(StatusJson.read(entry("galera-0"), PublishedState.class).seqno()).isEqualTo(5);
        assertThat(kube.mock().admin().pods().inNamespace(NS).withName("galera-0").get().getMetadata().getResourceVersion()).isEqualTo(podVersion);
    }

    @Test
    void republishesOnlyWhenSomethingButTheTimeChanged() throws InterruptedException {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 1, List.of(0));
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = sts(api);
            assertThat(api.publish(sts, "galera-0", state(0, UUID_A, 5, false, "t1"))).isTrue();
            kube.mock().takeRequests();
            assertThat(api.publish(sts, "galera-0", state(0, UUID_A, 5, false, "t2"))).isFalse();
            assertThat(kube.mock().takeRequests()).extracting(RecordedRequest::getMethod).containsExactly("GET");
            assertThat(entry("galera-0")).contains("\"time\":\"t1\"");
            kube.mock().takeRequests();

            assertThat(api.publish(sts, "galera-0", state(0, UUID_A, 6, false, "t3"))).isTrue();
            assertThat(kube.mock().takeRequests()).extracting(RecordedRequest::getMethod).containsExactly("GET", "PATCH");
            assertThat(StatusJson.read(entry("galera-0"), PublishedState.class).seqno()).isEqualTo(6);
        }
    }

    @Test
    void aPeerPublishingBetweenOurReadAndOurPatchKeepsItsEntry() throws InterruptedException {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 2, List.of(0, 1));
        String peer = StatusJson.write(state(1, UUID_A, 9, false, "t1"));
        kube.mock().interleaveOnce(HttpMethod.PATCH, "/api/v1/namespaces/db/configmaps/galera-galera-state", HttpMethod.PATCH,
                "application/merge-patch+json", StatusJson.write(Map.of("data", Map.of("galera-1", peer))));
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = sts(api);
            kube.mock().takeRequests();
            assertThat(api.publish(sts, "galera-0", state(0, UUID_A, 7, false, "t1"))).isTrue();
            // a merge patch of one key carries no resourceVersion: nothing to conflict with, no second try
            assertThat(kube.mock().takeRequests()).extracting(RecordedRequest::getMethod).containsExactly("GET", "PATCH");
        }
        assertThat(kube.mock().interleaved()).isTrue();
        assertThat(entry("galera-1")).isEqualTo(peer);
        assertThat(StatusJson.read(entry("galera-0"), PublishedState.class).seqno()).isEqualTo(7);
    }

    @Test
    void aMissingStateConfigMapIsAOneLineErrorNamingItAndTheManifest() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 1, List.of(0));
        kube.mock().admin().configMaps().inNamespace(NS).withName("galera-galera-state").delete();
        String message = "ConfigMap galera-galera-state not found in namespace db: it holds the pods' published states "
                + "and the manifest creates it (apply k8s/galera-statefulset.yaml)";
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = sts(api);
            assertThatThrownBy(() -> api.publish(sts, "galera-0", state(0, null, -1, false, "t")))
                    .isInstanceOfSatisfying(KubeApiException.class, e -> assertThat(e.noApiAccess()).isFalse())
                    .hasMessage(message);
            assertThatThrownBy(() -> api.readStates(sts)).hasMessage(message);
        }
        assertThat(kube.mock().admin().configMaps().inNamespace(NS).withName("galera-galera-state").get()).as("not created").isNull();
    }

    @Test
    void aStateWrittenBeforeThePodObjectWasCreatedIsAnEarlierPodsAndCountsOnlyOnceRepublished() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 1, List.of(0));
        Instant created = Instant.parse(kube.mock().admin().pods().inNamespace(NS).withName("galera-0").get().getMetadata().getCreationTimestamp());
        PublishedState old = state(0, UUID_A, 5, false, created.minusSeconds(60).toString());
        setEntry("galera-0", StatusJson.write(old));
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = sts(api);
            PodStates read = api.readStates(sts);
            assertThat(read.published()).isEmpty();
            assertThat(read.unpublished()).containsExactly(0);
            // the same content from the new pod: written again, with a time after the pod's creation
            PublishedState now = state(0, UUID_A, 5, false, created.plusSeconds(1).toString());
            assertThat(api.publish(sts, "galera-0", now)).isTrue();
            assertThat(api.readStates(sts).published()).containsExactly(Map.entry(0, now));
            assertThat(api.publish(sts, "galera-0", state(0, UUID_A, 5, false, created.plusSeconds(9).toString()))).isFalse();
        }
    }

    @Test
    void aMalformedEntryIsReportedAndCountsAsNotPublished() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 3, List.of(0, 1, 2));
        setEntry("galera-0", "{not json");
        setEntry("galera-1", StatusJson.write(state(2, UUID_A, 3, false, "t")));
        try (KubeApi api = agent()) {
            PodStates read = api.readStates(api.statefulSet("galera-2", Optional.empty()));
            assertThat(read.published()).isEmpty();
            assertThat(read.malformed()).containsOnlyKeys(0, 1);
            assertThat(read.malformed().get(0)).startsWith("not a valid PublishedState document");
            assertThat(read.malformed().get(1)).isEqualTo("the entry says ordinal 2 but the pod is galera-1");
            assertThat(read.notPublished()).containsExactly(0, 1, 2);
            assertThat(read.notPublished()).isNotEmpty();
            // the agent overwrites its own malformed entry
            assertThat(api.publish(read.statefulSet(), "galera-0", state(0, UUID_A, 3, false, "t"))).isTrue();
        }
    }

    private void setEntry(String pod, String value) {
        kube.mock().admin().configMaps().inNamespace(NS).withName("galera-galera-state").edit(c -> {
            Map<String, String> data = c.getData() == null ? new HashMap<>() : new HashMap<>(c.getData());
            data.put(pod, value);
            c.setData(data);
            return c;
        });
    }

    @Test
    void ignoresPodsOfOtherStatefulSetsAndOrdinalsBeyondReplicas() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 2, List.of(0, 1, 2, 3));
        MockKube.createStatefulSet(kube.mock().admin(), NS, "galera-other", 2, List.of(0, 1));
        // same labels as ours, but owned by another StatefulSet: the selector alone would take it
        kube.mock().admin().pods().inNamespace(NS).withName("galera-other-0").edit(p -> {
            p.getMetadata().setLabels(Map.of(MockKube.APP_LABEL, STS));
            return p;
        });
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = sts(api);
            for (int i = 0; i < 4; i++) {
                api.publish(sts, "galera-" + i, state(i, UUID_A, i, false, "t"));
            }
            api.publish(sts, "galera-other-0", state(0, UUID_A, 99, true, "t"));
            PodStates read = api.readStates(api.statefulSet("galera-0", Optional.empty()));
            assertThat(read.published()).containsOnlyKeys(0, 1);
            assertThat(read.published().get(0).seqno()).isZero();
            assertThat(read.notPublished()).isEmpty();
        }
    }

    @Test
    void aReadEndsWithAClearErrorWhenTheApiGoesAway() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 2, List.of(0, 1));
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = api.statefulSet("galera-0", Optional.empty());
            api.readStates(sts);
            kube.mock().close();
            long start = System.nanoTime();
            assertThatThrownBy(() -> api.readStates(sts))
                    .isInstanceOfSatisfying(KubeApiException.class, e -> assertThat(e.noApiAccess()).isTrue())
                    .hasMessageContaining("is unreachable (")
                    .hasMessageEndingWith("when trying to list pods in namespace db");
            System.out.println("API gone: read failed after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void dryRunSummaryShowsEveryOrdinalAndTheLease() {
        MockKube.createStatefulSet(kube.mock().admin(), NS, STS, 4, List.of(0, 1, 2));
        setEntry("galera-2", "garbage");
        try (KubeApi api = agent()) {
            StatefulSetInfo sts = api.statefulSet("galera-0", Optional.empty());
            api.publish(sts, "galera-0", state(0, UUID_A, 42, true, Instant.now().plusSeconds(1).toString()));
            assertThat(api.lease(sts).tryAcquire("galera-0", Optional.of(Position.parse("position", UUID_A + ":42")), Duration.ofSeconds(30))).isInstanceOf(LeaseOutcome.Acquired.class);
            String summary = api.dryRunSummary(sts);
            List<String> lines = summary.lines().toList();
            assertThat(lines.get(0)).isEqualTo("StatefulSet galera in namespace db: 4 replicas, 1 published");
            assertThat(lines.get(2)).startsWith("galera-0").contains(UUID_A).contains(" 42 ").contains("yes");
            assertThat(lines.get(3)).isEqualTo("galera-1                 (nothing published yet)");
            assertThat(lines.get(4)).startsWith("galera-2                 malformed state: not a valid PublishedState");
            assertThat(lines.get(5)).isEqualTo("galera-3                 (no such pod)");
            assertThat(lines.get(6)).isEqualTo("not published: [galera-1, galera-2, galera-3]");
            assertThat(lines.get(7)).startsWith("Lease galera-galera-bootstrap: held by galera-0 (uuid " + UUID_A + ", seqno 42) until ");
        }
    }}
