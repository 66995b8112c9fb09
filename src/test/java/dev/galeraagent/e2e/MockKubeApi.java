package dev.galeraagent.e2e;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kubernetes API stand-in, as its own process inside the bridge namespace (so the pods reach
 * it at {@code http://10.231.0.10:6443}): fabric8's mock API server in CRUD mode, holding the
 * StatefulSet, one Pod object per pod, and the state ConfigMap and the bootstrap Lease the manifest creates. The harness, which lives in the root namespace and
 * cannot reach that address, drives it through stdin, one command a line, one answer a line
 * ({@code OK [json]} or {@code ERR message}):
 * {@code statefulset REPLICAS}, {@code pod ORDINAL} (a new Pod object, as a restarted pod gets),
 * {@code delete-pod ORDINAL}, {@code get-pod ORDINAL}, {@code get-statefulset}, {@code get-state} (the state ConfigMap),
 * {@code get-lease} (the bootstrap Lease). A fault: {@code slow-decided ORDINAL SECONDS} makes every publish of pod
 * ORDINAL's final decision (JOIN, BOOTSTRAP_FROM_HERE, NEW_CLUSTER) in the next SECONDS time out: not applied, and
 * answered 504 only after {@link #SLOW_ANSWER}, past the agent's request timeout; {@code held} counts them.
 */
public final class MockKubeApi {
    private static final String NS = PodNetwork.NAMESPACE;
    private static final String STS = PodNetwork.STATEFULSET;
    /** The manifest's labels and selector (k8s/galera-statefulset.yaml). */
    /** The manifest's state ConfigMap and bootstrap Lease. */
    private static final String STATE = STS + "-galera-state";
    private static final String LEASE = STS + "-galera-bootstrap";
    private static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", STS, "app.kubernetes.io/instance", STS);

    /** Longer than the agent's request timeout (5 s): the client gives up first, as on an API server that hangs. */
    static final java.time.Duration SLOW_ANSWER = java.time.Duration.ofSeconds(8);
    private static final Map<String, Long> SLOW_UNTIL = new ConcurrentHashMap<>();
    private static final AtomicInteger HELD = new AtomicInteger();

    private MockKubeApi() {}

    /** The timeout of a publish of a final decision while {@code slow-decided} lasts for that pod; null for any other request. */
    private static io.fabric8.mockwebserver.http.MockResponse slowDecided(io.fabric8.mockwebserver.http.RecordedRequest r) {
        if (SLOW_UNTIL.isEmpty() || !r.getPath().contains("/configmaps/" + STATE)) {
            return null;
        }
        // {"data":{"galera-N":"{...\"decision\":\"JOIN\"...}"}}: the state is a JSON string inside the patch
        // getBytes, not getUtf8Body: reading the body empties it, and the CRUD dispatcher must still apply the patch
        String body = new String(r.getBody().getBytes(), StandardCharsets.UTF_8).replace("\\", "");
        boolean decided = body.matches("(?s).*\"decision\"\\s*:\\s*\"(JOIN|BOOTSTRAP_FROM_HERE|NEW_CLUSTER)\".*");
        for (Map.Entry<String, Long> e : SLOW_UNTIL.entrySet()) {
            if (decided && body.contains("\"" + e.getKey() + "\"") && System.nanoTime() < e.getValue()) {
                HELD.incrementAndGet();
                System.err.println("[mock-api] publish of " + e.getKey() + "'s decision held, answered 504 after " + SLOW_ANSWER.toSeconds() + " s");
                return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(504)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Timeout\","
                                + "\"message\":\"the server was unable to return a response in the time allotted\",\"code\":504}")
                        .setBodyDelay(SLOW_ANSWER);
            }
        }
        return null;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        MockWebServer web = new MockWebServer();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), web, new HashMap<>(), new KubernetesCrudDispatcher() {
            @Override
            public io.fabric8.mockwebserver.http.MockResponse handlePatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
                io.fabric8.mockwebserver.http.MockResponse slow = slowDecided(request);
                return slow != null ? slow : super.handlePatch(request);
            }
        }, false);
        server.start(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        // the mock server keeps every request unless someone takes them
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                try {
                    web.takeRequest(1, TimeUnit.HOURS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        NamespacedKubernetesClient client = server.createClient().inNamespace(NS);
        out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.strip().split("\\s+");
            try {
                out.println("OK " + handle(client, f));
            } catch (RuntimeException e) {
                out.println("ERR " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
        server.destroy();
    }

    private static String handle(NamespacedKubernetesClient client, String[] f) {
        return switch (f[0]) {
            case "statefulset" -> {
                StatefulSet sts = new StatefulSetBuilder()
                        .withMetadata(meta(STS, LABELS))
                        .withNewSpec()
                        .withReplicas(Integer.parseInt(f[1]))
                        .withServiceName(PodNetwork.SERVICE)
                        .withPodManagementPolicy("Parallel")
                        .withNewSelector().addToMatchLabels(LABELS).endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels(LABELS).endMetadata()
                        .withNewSpec().addNewContainer().withName("mariadb").withImage("mariadb:10.11").endContainer().endSpec()
                        .endTemplate()
                        .endSpec()
                        .build();
                StatefulSet existing = client.apps().statefulSets().withName(STS).get();
                if (existing == null) {
                    client.apps().statefulSets().resource(sts).create();
                    // what k8s/galera-statefulset.yaml creates next to the StatefulSet: the Role may create neither
                    if (client.configMaps().withName(STATE).get() == null) {
                        client.configMaps().resource(new ConfigMapBuilder().withMetadata(meta(STATE, LABELS)).build()).create();
                    }
                    if (client.leases().withName(LEASE).get() == null) {
                        client.leases().resource(new LeaseBuilder().withMetadata(meta(LEASE, LABELS)).withNewSpec().endSpec().build()).create();
                    }
                } else {
                    client.apps().statefulSets().withName(STS).edit(s -> {
                        s.getSpec().setReplicas(Integer.parseInt(f[1]));
                        return s;
                    });
                }
                yield "";
            }
            case "pod" -> {
                int i = Integer.parseInt(f[1]);
                String name = PodNetwork.podName(i);
                client.pods().withName(name).delete();
                StatefulSet owner = client.apps().statefulSets().withName(STS).get();
                Map<String, String> labels = new HashMap<>(LABELS);
                labels.put("statefulset.kubernetes.io/pod-name", name);
                labels.put("apps.kubernetes.io/pod-index", Integer.toString(i));
                ObjectMeta m = meta(name, labels);
                m.setOwnerReferences(java.util.List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                        .withName(STS).withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build()));
                Pod pod = new PodBuilder()
                        .withMetadata(m)
                        .withNewSpec().withHostname(name).withSubdomain(PodNetwork.SERVICE)
                        .addNewContainer().withName("mariadb").withImage("mariadb:10.11").endContainer().endSpec()
                        .withNewStatus().withPhase("Running").withPodIP(PodNetwork.ip(i)).endStatus()
                        .build();
                client.pods().resource(pod).create();
                yield "";
            }
            case "delete-pod" -> {
                client.pods().withName(PodNetwork.podName(Integer.parseInt(f[1]))).delete();
                yield "";
            }
            case "get-pod" -> json(client.pods().withName(PodNetwork.podName(Integer.parseInt(f[1]))).get());
            case "get-statefulset" -> json(client.apps().statefulSets().withName(STS).get());
            case "get-state" -> json(client.configMaps().withName(STATE).get());
            case "get-lease" -> json(client.leases().withName(LEASE).get());
            case "slow-decided" -> {
                SLOW_UNTIL.put(PodNetwork.podName(Integer.parseInt(f[1])), System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(f[2])));
                yield "";
            }
            case "held" -> Integer.toString(HELD.get());
            default -> throw new IllegalArgumentException("unknown command " + f[0]);
        };
    }

    private static ObjectMeta meta(String name, Map<String, String> labels) {
        return new ObjectMetaBuilder().withName(name).withNamespace(NS).withLabels(labels).build();
    }

    private static String json(Object o) {
        return o == null ? "null" : Serialization.asJson(o).replace("\n", " ");
    }
}
