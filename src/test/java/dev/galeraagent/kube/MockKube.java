package dev.galeraagent.kube;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * fabric8's mock API server in CRUD mode, as the agent's tests and {@link MockApiServerMain} use it: a StatefulSet
 * with pods, a kubeconfig pointing at it, and a way to slip another writer's request in before one of the agent's.
 */
final class MockKube implements AutoCloseable {
    static final String APP_LABEL = "app.kubernetes.io/name";

    private final KubernetesMockServer server;
    private final InterleavingDispatcher dispatcher;
    private final KubernetesClient admin;
    private volatile Thread drainer;
    private boolean closed;

    private final String address;

    private MockKube(String address, KubernetesMockServer server, InterleavingDispatcher dispatcher) {
        this.address = address;
        this.server = server;
        this.dispatcher = dispatcher;
        this.admin = server.createClient();
    }

    /** Starts on {@code address:port} (port 0: any free one). */
    static MockKube start(String address, int port) {
        InterleavingDispatcher dispatcher = new InterleavingDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        try {
            server.init(InetAddress.getByName(address), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MockKube(address, server, dispatcher);
    }

    String url() {
        // not getHostName(): a reverse lookup of 127.0.40.x can take seconds
        return "http://" + address + ":" + server.getPort();
    }

    int port() {
        return server.getPort();
    }

    /** A client with fabric8's defaults, for setting up and inspecting objects (not under test). */
    KubernetesClient admin() {
        return admin;
    }

    /** Writes a kubeconfig that points at this server with {@code namespace} as default. */
    Path writeKubeconfig(Path dir, String namespace) {
        Path file = dir.resolve("kubeconfig-" + server.getPort());
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: agent
                    namespace: %s
                current-context: mock
                users:
                - name: agent
                  user:
                    token: not-checked-by-the-mock
                """.formatted(url(), namespace);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The adapter as an agent builds it: through a kubeconfig, with the agent's timeouts. */
    KubeApi agent(Path kubeconfig, String namespace, Clock clock) {
        return new KubeApi(KubeClients.connect(Optional.of(kubeconfig), KubeClients.DEFAULT_REQUEST_TIMEOUT), namespace, clock);
    }

    /**
     * Creates StatefulSet {@code name} with {@code replicas}, a Pod for each of {@code podOrdinals}, and the empty
     * state ConfigMap {@code <name>-galera-state} the manifest creates.
     */
    static void createStatefulSet(KubernetesClient client, String namespace, String name, int replicas, Collection<Integer> podOrdinals) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
                        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build())
                        .withNewSpec()
                        .withReplicas(replicas)
                        .withServiceName(name)
                        .withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of(APP_LABEL, name)).build())
                        .withNewTemplate()
                        .withNewMetadata().withLabels(Map.of(APP_LABEL, name)).endMetadata()
                        .withNewSpec().addNewContainer().withName("mariadb").withImage("mariadb:10.11").endContainer().endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        createStateConfigMap(client, namespace, name);
        for (int ordinal : podOrdinals) {
            createPod(client, sts, ordinal);
        }
    }

    /** The ConfigMap {@code <statefulset>-galera-state} as the manifest creates it: no entries yet. */
    static void createStateConfigMap(KubernetesClient client, String namespace, String statefulSet) {
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(statefulSet + "-galera-state").withNamespace(namespace).build())
                .build()).create();
    }

    static Pod createPod(KubernetesClient client, StatefulSet sts, int ordinal) {
        String namespace = sts.getMetadata().getNamespace();
        String name = sts.getMetadata().getName();
        return client.pods().inNamespace(namespace).resource(new PodBuilder()
                        .withMetadata(new ObjectMetaBuilder()
                                .withName(name + "-" + ordinal)
                                .withNamespace(namespace)
                                .withLabels(Map.of(APP_LABEL, name, "apps.kubernetes.io/pod-index", Integer.toString(ordinal)))
                                .withOwnerReferences(new OwnerReferenceBuilder()
                                        .withApiVersion("apps/v1").withKind("StatefulSet").withName(name)
                                        .withUid(sts.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                                        .build())
                                .build())
                        .withNewSpec().addNewContainer().withName("mariadb").withImage("mariadb:10.11").endContainer().endSpec()
                        .build())
                .create();
    }

    /**
     * Once, just before the server handles the next {@code method} on {@code path}, it handles {@code other}
     * first: another writer that got in between the agent's read and its write.
     */
    void interleaveOnce(HttpMethod method, String path, HttpMethod otherMethod, String otherContentType, String otherBody) {
        dispatcher.interleave = new Interleave(method, path, new RecordedRequest("HTTP/1.1", otherMethod, path,
                Headers.builder().add("Content-Type", otherContentType).build(),
                new Buffer(otherBody.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * From now on the server answers 403, as an API server enforcing RBAC would, to every request {@code allowed}
     * rejects; the request still appears in {@link #takeRequests}.
     */
    void authorize(Predicate<RecordedRequest> allowed) {
        dispatcher.allowed = allowed;
    }

    boolean interleaved() {
        return dispatcher.interleave == null;
    }

    /** Every request received since the last call, oldest first. */
    List<RecordedRequest> takeRequests() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            requests.add(request);
        }
        return requests;
    }

    /** Discards requests as they come, so a long-running server's memory stays bounded. */
    void drainRequests() {
        Thread thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    server.takeRequest();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mock-api-drain");
        thread.setDaemon(true);
        thread.start();
        drainer = thread;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread thread = drainer;
        if (thread != null) {
            thread.interrupt();
        }
        admin.close();
        server.destroy();
    }

    private record Interleave(HttpMethod method, String path, RecordedRequest other) {
    }

    private static final class InterleavingDispatcher extends KubernetesCrudDispatcher {
        volatile Interleave interleave;
        volatile Predicate<RecordedRequest> allowed = r -> true;

        @Override
        public synchronized MockResponse dispatch(RecordedRequest request) {
            if (!allowed.test(request)) {
                return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        + "\"message\":\"forbidden by the test's Role\",\"reason\":\"Forbidden\",\"code\":403}");
            }
            Interleave pending = interleave;
            if (pending != null && pending.method() == request.method() && request.getPath().split("\\?")[0].equals(pending.path())) {
                interleave = null;
                super.dispatch(pending.other());
            }
            return super.dispatch(request);
        }
    }
}
